// path2regex: turns an Express-style route such as "/chat/:id(\\d+)" into a regular expression
// and the list of parameters its capture groups stand for.
//
// The route syntax and the shape of the regex follow JavaScript's path-to-regexp 2.x, as RESTinio
// does (server.md 9): literal text, `:name`, `:name(pattern)`, unnamed `(pattern)`, the suffixes
// `?` `*` `+`, and `\x` to escape a character. The result is plain text plus keys, independent
// of any regex engine; path2regex<Regex_Engine>() compiles it for one. Differences from
// path-to-regexp: a parameter's pattern may contain non-capturing groups (`(?:a|b)`), which is
// why parentheses are counted; an unbalanced `(` or `)`, an empty pattern, a pattern that starts
// with `?` and a capturing group inside a pattern all throw exception_t when the route is added,
// rather than being taken literally or failing at match time.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace restinio
{

namespace path2regex
{

//
// options_t
//

// How a route matches. Each option has a & and a && setter, so options_t{}.strict( true )
// works on a temporary, and a getter of the same name.
class options_t
{
public:
    // Case-sensitive matching. Default false: "/Chat" matches a route "/chat".
    options_t & sensitive( bool s ) & { m_sensitive = s; return *this; }
    options_t && sensitive( bool s ) && { return std::move( sensitive( s ) ); }
    [[nodiscard]] bool sensitive() const noexcept { return m_sensitive; }

    // Default false: one trailing delimiter is optional, so "/chat" also matches "/chat/".
    options_t & strict( bool s ) & { m_strict = s; return *this; }
    options_t && strict( bool s ) && { return std::move( strict( s ) ); }
    [[nodiscard]] bool strict() const noexcept { return m_strict; }

    // Default true: the whole path must match. False matches a prefix ending at a delimiter.
    options_t & ending( bool e ) & { m_ending = e; return *this; }
    options_t && ending( bool e ) && { return std::move( ending( e ) ); }
    [[nodiscard]] bool ending() const noexcept { return m_ending; }

    // The delimiter for a parameter with no prefix, and the optional trailing one. Default "/".
    options_t & delimiter( std::string d ) & { m_delimiter = std::move( d ); return *this; }
    options_t && delimiter( std::string d ) && { return std::move( delimiter( std::move( d ) ) ); }
    [[nodiscard]] const std::string & delimiter() const noexcept { return m_delimiter; }

    // Characters that, just before a parameter, become its prefix. Default "./".
    options_t & delimiters( std::string d ) & { m_delimiters = std::move( d ); return *this; }
    options_t && delimiters( std::string d ) && { return std::move( delimiters( std::move( d ) ) ); }
    [[nodiscard]] const std::string & delimiters() const noexcept { return m_delimiters; }

    // Strings that may end a match besides the end of the path. Default none.
    options_t & ends_with( std::vector< std::string > e ) &
    {
        m_ends_with = std::move( e );
        return *this;
    }
    options_t && ends_with( std::vector< std::string > e ) &&
    {
        return std::move( ends_with( std::move( e ) ) );
    }
    [[nodiscard]] const std::vector< std::string > & ends_with() const noexcept
    {
        return m_ends_with;
    }

private:
    bool m_sensitive{ false };
    bool m_strict{ false };
    bool m_ending{ true };
    std::string m_delimiter{ "/" };
    std::string m_delimiters{ "./" };
    std::vector< std::string > m_ends_with;
};

//
// param_key_t
//

// The parameter one capture group stands for: a name for `:name`, none for `(pattern)`, whose
// values are read by index.
struct param_key_t
{
    std::string name;

    [[nodiscard]] bool is_named() const noexcept { return !name.empty(); }
};

//
// route_regex_t
//

// A route as regex source text; capture group i + 1 holds the value of keys[ i ].
struct route_regex_t
{
    std::string regex;
    std::vector< param_key_t > keys;
    bool sensitive{ false };
};

namespace impl
{

// One piece of a parsed route: literal text, or a parameter.
struct token_t
{
    enum class kind_t { literal, parameter };

    kind_t kind{ kind_t::literal };
    std::string text;           // literal: the unescaped text
    param_key_t key;            // parameter: the rest
    std::string prefix;         // the delimiter character just before it, or ""
    std::string delimiter;      // prefix, or options_t::delimiter()
    std::string pattern;        // as written, or the default one-segment pattern
    bool optional{ false };     // `?` or `*`
    bool repeat{ false };       // `+` or `*`
    bool partial{ false };      // more text follows in the same segment: "/:a-:b"
};

[[nodiscard]] inline bool is_name_char( char c ) noexcept
{
    return ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' )
        || c == '_';
}

// Escapes text to be matched literally by an ECMAScript regex. Only punctuation is escaped:
// a backslash before a letter or digit would change its meaning (\d, \1).
[[nodiscard]] inline std::string escape_string( string_view_t text )
{
    static constexpr string_view_t special{ "\\^$.|?*+()[]{}/" };
    std::string result;
    result.reserve( text.size() + text.size() / 2 );
    for( const char c : text )
    {
        if( special.find( c ) != string_view_t::npos )
            result += '\\';
        result += c;
    }
    return result;
}

[[noreturn]] inline void throw_route_error( string_view_t route, std::size_t pos, const char * what )
{
    std::string text{ "invalid route '" };
    text.append( route.data(), route.size() );
    text += "' at position ";
    text += std::to_string( pos );
    text += ": ";
    text += what;
    throw exception_t{ text };
}

// Reads the pattern of a parameter; `open` is the index of its '('. Returns the index just
// past the matching ')'. Escapes and character classes are skipped whole, so "\\)" and "[)]"
// do not close the group.
inline std::size_t read_pattern( string_view_t route, std::size_t open, std::string & pattern )
{
    std::size_t depth = 1;
    std::size_t i = open + 1;
    bool in_class = false;
    for( ; i < route.size(); ++i )
    {
        const char c = route[ i ];
        if( c == '\\' )
        {
            if( i + 1 == route.size() )
                break;
            ++i;
            continue;
        }
        if( in_class )
        {
            in_class = c != ']';
            continue;
        }
        if( c == '[' )
            in_class = true;
        else if( c == '(' )
        {
            // Another capturing group would shift the groups the keys are matched to.
            if( i + 1 == route.size() || route[ i + 1 ] != '?' )
                throw_route_error( route, i,
                    "capturing groups are not allowed inside a parameter's pattern; "
                    "use (?:...)" );
            ++depth;
        }
        else if( c == ')' && 0 == --depth )
            break;
    }
    if( depth != 0 )
        throw_route_error( route, open, "unbalanced '('" );
    if( i == open + 1 )
        throw_route_error( route, open, "empty pattern '()'" );
    // The pattern becomes the parameter's capture group: "?" first would make that group
    // non-capturing or a look-around, and the next parameters would take the wrong groups.
    if( route[ open + 1 ] == '?' )
        throw_route_error( route, open, "a parameter's pattern cannot start with '?'" );
    pattern.assign( route.data() + open + 1, i - open - 1 );
    return i + 1;
}

// Splits a route into literal and parameter tokens (path-to-regexp 2.x's parse()).
[[nodiscard]] inline std::vector< token_t > parse( string_view_t route, const options_t & options )
{
    std::vector< token_t > tokens;
    std::string pending;            // literal text not yet pushed
    bool pending_escaped = false;   // its last character came from an escape

    std::size_t i = 0;
    while( i < route.size() )
    {
        const char c = route[ i ];
        if( c == '\\' && i + 1 < route.size() )
        {
            pending += route[ i + 1 ];
            pending_escaped = true;
            i += 2;
            continue;
        }
        if( c == ')' )
            throw_route_error( route, i, "unbalanced ')'" );

        const bool named = c == ':' && i + 1 < route.size() && is_name_char( route[ i + 1 ] );
        if( !named && c != '(' )
        {
            pending += c;
            ++i;
            continue;
        }

        token_t param;
        param.kind = token_t::kind_t::parameter;
        if( named )
        {
            std::size_t end = i + 1;
            while( end < route.size() && is_name_char( route[ end ] ) )
                ++end;
            param.key.name.assign( route.data() + i + 1, end - i - 1 );
            i = end;
            if( i < route.size() && route[ i ] == '(' )
                i = read_pattern( route, i, param.pattern );
        }
        else
            i = read_pattern( route, i, param.pattern );

        if( i < route.size() && ( route[ i ] == '?' || route[ i ] == '*' || route[ i ] == '+' ) )
        {
            param.optional = route[ i ] == '?' || route[ i ] == '*';
            param.repeat = route[ i ] == '+' || route[ i ] == '*';
            ++i;
        }

        // A delimiter written just before the parameter belongs to it: "/:id?" makes the '/'
        // optional too. An escaped one stays literal.
        if( !pending_escaped && !pending.empty()
            && options.delimiters().find( pending.back() ) != std::string::npos )
        {
            param.prefix.assign( 1, pending.back() );
            pending.pop_back();
        }
        if( !pending.empty() )
        {
            token_t literal;
            literal.text = std::move( pending );
            tokens.push_back( std::move( literal ) );
            pending.clear();
        }
        pending_escaped = false;

        param.partial = !param.prefix.empty() && i < route.size() && route[ i ] != param.prefix[ 0 ];
        param.delimiter = param.prefix.empty() ? options.delimiter() : param.prefix;
        if( param.pattern.empty() )
        {
            // One segment: anything but the delimiter, as little as possible.
            param.pattern = "[^";
            for( const char d : param.delimiter )
            {
                if( d == '\\' || d == ']' || d == '[' || d == '^' || d == '-' )
                    param.pattern += '\\';
                param.pattern += d;
            }
            param.pattern += "]+?";
        }
        tokens.push_back( std::move( param ) );
    }
    if( !pending.empty() )
    {
        token_t literal;
        literal.text = std::move( pending );
        tokens.push_back( std::move( literal ) );
    }
    return tokens;
}

} // namespace impl

//
// make_route_regex
//

// The regex for a route (path-to-regexp 2.x's tokensToRegExp()). Throws exception_t for a
// malformed route.
[[nodiscard]] inline route_regex_t make_route_regex( string_view_t route, const options_t & options )
{
    const auto tokens = impl::parse( route, options );

    route_regex_t result;
    result.sensitive = options.sensitive();
    std::string & re = result.regex;
    re = "^";

    bool end_delimited = tokens.empty();
    for( std::size_t t = 0; t != tokens.size(); ++t )
    {
        const auto & token = tokens[ t ];
        if( token.kind == impl::token_t::kind_t::literal )
        {
            re += impl::escape_string( token.text );
            end_delimited = t + 1 == tokens.size()
                && options.delimiters().find( token.text.back() ) != std::string::npos;
            continue;
        }

        const std::string prefix = impl::escape_string( token.prefix );
        // A repeated parameter captures all its repetitions, with the delimiter (the prefix,
        // or options_t::delimiter()) between them: with nothing between them, "(?:P)(?:(?:P))*"
        // backtracks exponentially on a path that almost matches.
        const std::string capture = token.repeat
            ? "(?:" + token.pattern + ")(?:" + impl::escape_string( token.delimiter ) + "(?:" +
                    token.pattern + "))*"
            : token.pattern;
        if( !token.optional )
            re += prefix + "(" + capture + ")";
        else if( token.partial )
            re += prefix + "(" + capture + ")?";
        else
            re += "(?:" + prefix + "(" + capture + "))?";
        result.keys.push_back( token.key );
    }

    const std::string delimiter = impl::escape_string( options.delimiter() );
    std::string ends_with;
    for( const auto & e : options.ends_with() )
        if( !e.empty() )
            ends_with += impl::escape_string( e ) + "|";
    ends_with += "$";

    if( options.ending() )
    {
        if( !options.strict() )
            re += "(?:" + delimiter + ")?";
        re += ends_with == "$" ? std::string{ "$" } : "(?=" + ends_with + ")";
    }
    else
    {
        if( !options.strict() )
            re += "(?:" + delimiter + "(?=" + ends_with + "))?";
        if( !end_delimited )
            re += "(?=" + delimiter + "|" + ends_with + ")";
    }
    return result;
}

//
// route_regex_matcher_data_t, path2regex
//

// A route compiled for one regex engine, with the names of its parameters. The names live in
// one shared buffer so that route_params_t can point into it and outlive the router.
template< typename Regex_Engine >
struct route_regex_matcher_data_t
{
    using regex_t = typename Regex_Engine::compiled_regex_t;

    // One per capture group: a view of the name in m_names_buffer, or empty for an indexed one.
    struct param_slot_t
    {
        string_view_t name;
        bool named;
    };

    regex_t m_regex;
    std::shared_ptr< const std::string > m_names_buffer;
    std::vector< param_slot_t > m_param_slots;
};

// Parses and compiles a route. Throws exception_t for a malformed route or pattern.
template< typename Regex_Engine >
[[nodiscard]] route_regex_matcher_data_t< Regex_Engine > path2regex(
    string_view_t route, const options_t & options )
{
    auto route_regex = make_route_regex( route, options );

    std::size_t names_size = 0;
    for( const auto & k : route_regex.keys )
        names_size += k.name.size();
    auto names = std::make_shared< std::string >();
    names->reserve( names_size );     // no reallocation below, so the views stay valid
    for( const auto & k : route_regex.keys )
        names->append( k.name );

    route_regex_matcher_data_t< Regex_Engine > result{
        Regex_Engine::compile_regex( route_regex.regex, route_regex.sensitive ), {}, {} };
    std::size_t offset = 0;
    for( const auto & k : route_regex.keys )
    {
        result.m_param_slots.push_back( { string_view_t{ names->data() + offset, k.name.size() },
            k.is_named() } );
        offset += k.name.size();
    }
    result.m_names_buffer = std::move( names );
    return result;
}

} // namespace path2regex

} // namespace restinio
