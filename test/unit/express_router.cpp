// Tests for restinio/router/express.hpp (with method_matcher.hpp, value_or.hpp): route order,
// methods, parameters, the non-matched path, options, percent-decoding, route_params_t, and the
// seed sample's spelling `rr::express_router_t`.
#include <restinio/router/express.hpp>
#include <restinio/value_or.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using namespace restinio;
using restinio::router::route_params_t;

namespace
{

// A request with no connection behind it: enough for routing.
template< typename Extra_Data_Factory = no_extra_data_factory_t >
generic_request_handle_t< typename Extra_Data_Factory::data_t > make_request(
    http_method_id_t method, std::string target )
{
    Extra_Data_Factory factory;
    return std::make_shared< generic_request_t< typename Extra_Data_Factory::data_t > >(
        request_id_t{ 1 }, http_request_header_t{ method, std::move( target ) }, std::string{},
        restinio::impl::connection_handle_t{}, endpoint_t{}, factory );
}

// Routes that record which of them ran and with what parameters.
struct recorder_t
{
    std::string route;              // the name of the route that ran, or "" if none
    std::vector< std::string > params;

    router::express_request_handler_t handler( std::string name )
    {
        return [this, name]( request_handle_t, route_params_t p ) {
            route = name;
            params.clear();
            for( const auto & np : router::impl::route_params_accessor_t::named_parameters( p ) )
                params.push_back( std::string{ np.first } + "=" + std::string{ np.second } );
            for( const auto & ip : router::impl::route_params_accessor_t::indexed_parameters( p ) )
                params.push_back( "#=" + std::string{ ip } );
            return request_accepted();
        };
    }
};

struct route_result_t
{
    request_handling_status_t status;
    std::string route;
    std::vector< std::string > params;
};

route_result_t route( const router::express_router_t & r, recorder_t & rec,
    http_method_id_t method, std::string target )
{
    rec.route.clear();
    rec.params.clear();
    const auto status = r( make_request( method, std::move( target ) ) );
    return { status, rec.route, rec.params };
}

} // namespace

TEST_CASE( "the seed's spelling compiles and routes", "[router][express][seed]" )
{
    namespace rr = restinio::router;
    using router_t = rr::express_router_t;
    auto r = std::make_unique< router_t >();
    r->http_get( "/chat", []( auto req, auto ) {
        if( restinio::http_connection_header_t::upgrade == req->header().connection() )
            return restinio::request_accepted();
        return restinio::request_rejected();
    } );

    static_assert( std::is_invocable_r_v< request_handling_status_t, router_t &, request_handle_t > );
    static_assert( std::is_base_of_v<
        rr::generic_express_router_t< rr::linear_regex_engine_t, no_extra_data_factory_t >, router_t > );
    static_assert( std::is_same_v< router_t::actual_request_handle_t, request_handle_t > );
    static_assert( !std::is_copy_constructible_v< router_t > );
    static_assert( std::is_move_constructible_v< router_t > );

    auto req = make_request( http_method_get(), "/chat" );
    CHECK( ( *r )( req ) == request_rejected() );
    CHECK( ( *r )( make_request( http_method_get(), "/other" ) ) == request_not_handled() );

    router_t moved{ std::move( *r ) };
    CHECK( moved( make_request( http_method_get(), "/chat/" ) ) == request_rejected() );
}

TEST_CASE( "named parameters and the /chat/:id examples of server.md 9", "[router][express]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/chat", rec.handler( "chat" ) );
    r.http_get( "/chat/:id", rec.handler( "chat-id" ) );
    r.http_get( "/user/:user/book/:book", rec.handler( "book" ) );

    using p = std::vector< std::string >;
    struct row_t { const char * target; const char * route; p params; };
    const row_t rows[] = {
        { "/chat",                  "chat",     {} },
        { "/chat/",                 "chat",     {} },
        { "/CHAT",                  "chat",     {} },           // case-insensitive by default
        { "/chat?x=1",              "chat",     {} },           // the query takes no part
        { "/chat#frag",             "chat",     {} },
        { "/chat/42",               "chat-id",  { "id=42" } },
        { "/chat/42/",              "chat-id",  { "id=42" } },
        { "/chat/42?x=1",           "chat-id",  { "id=42" } },
        { "/chat/1/2",              "",         {} },
        { "/chat//",                "",         {} },
        { "/chatx",                 "",         {} },
        { "/user/ann/book/7",       "book",     { "user=ann", "book=7" } },
        { "/",                      "",         {} },
    };
    for( const auto & row : rows )
    {
        INFO( row.target );
        const auto result = route( r, rec, http_method_get(), row.target );
        CHECK( result.route == row.route );
        CHECK( result.params == row.params );
        CHECK( result.status == ( *row.route ? request_accepted() : request_not_handled() ) );
    }
}

TEST_CASE( "optional, constrained, unnamed and repeated parameters", "[router][express]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/num/:n(\\d+)", rec.handler( "num" ) );
    r.http_get( "/num/:word", rec.handler( "word" ) );
    r.http_get( "/opt/:x?", rec.handler( "opt" ) );
    r.http_get( "/idx/(\\d+)/(a|b)", rec.handler( "idx" ) );
    r.http_get( "/star/:rest*", rec.handler( "star" ) );
    r.http_get( "/plus/:rest+", rec.handler( "plus" ) );

    using p = std::vector< std::string >;
    struct row_t { const char * target; const char * route; p params; };
    const row_t rows[] = {
        { "/num/42",        "num",   { "n=42" } },
        { "/num/4x",        "word",  { "word=4x" } },
        { "/opt",           "opt",   { "x=" } },
        { "/opt/",          "opt",   { "x=" } },
        { "/opt/v",         "opt",   { "x=v" } },
        { "/idx/12/b",      "idx",   { "#=12", "#=b" } },
        { "/idx/12/c",      "",      {} },
        { "/star",          "star",  { "rest=" } },
        { "/star/a/b/c",    "star",  { "rest=a/b/c" } },
        { "/plus",          "",      {} },
        { "/plus/a/b",      "plus",  { "rest=a/b" } },
    };
    for( const auto & row : rows )
    {
        INFO( row.target );
        const auto result = route( r, rec, http_method_get(), row.target );
        CHECK( result.route == row.route );
        CHECK( result.params == row.params );
    }
}

TEST_CASE( "routes are tried in registration order", "[router][express]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/a/:x", rec.handler( "general" ) );
    r.http_get( "/a/special", rec.handler( "special" ) );     // never reached
    r.http_get( "/b/special", rec.handler( "special-b" ) );
    r.http_get( "/b/:x", rec.handler( "general-b" ) );

    CHECK( route( r, rec, http_method_get(), "/a/special" ).route == "general" );
    CHECK( route( r, rec, http_method_get(), "/b/special" ).route == "special-b" );
    CHECK( route( r, rec, http_method_get(), "/b/other" ).route == "general-b" );
}

TEST_CASE( "a method mismatch falls through to later routes", "[router][express][method]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/res", rec.handler( "get" ) );
    r.http_post( "/res", rec.handler( "post" ) );
    r.http_put( "/res", rec.handler( "put" ) );
    r.http_delete( "/res", rec.handler( "delete" ) );
    r.http_head( "/res", rec.handler( "head" ) );
    r.add_handler( http_method_patch(), "/res", rec.handler( "patch" ) );

    CHECK( route( r, rec, http_method_get(), "/res" ).route == "get" );
    CHECK( route( r, rec, http_method_post(), "/res" ).route == "post" );
    CHECK( route( r, rec, http_method_put(), "/res" ).route == "put" );
    CHECK( route( r, rec, http_method_delete(), "/res" ).route == "delete" );
    CHECK( route( r, rec, http_method_head(), "/res" ).route == "head" );
    CHECK( route( r, rec, http_method_patch(), "/res" ).route == "patch" );
    const auto options = route( r, rec, http_method_options(), "/res" );
    CHECK( options.route.empty() );
    CHECK( options.status == request_not_handled() );

    // The seed: POST /chat on a GET-only route goes down the non-matched path.
    router::express_router_t seed;
    seed.http_get( "/chat", rec.handler( "chat" ) );
    int non_matched = 0;
    seed.non_matched_request_handler( [&]( request_handle_t ) {
        ++non_matched;
        return request_rejected();
    } );
    CHECK( route( seed, rec, http_method_post(), "/chat" ).status == request_rejected() );
    CHECK( non_matched == 1 );
}

TEST_CASE( "method matchers", "[router][express][method]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.add_handler( router::any_of_methods( http_method_get(), http_method_head() ), "/any",
        rec.handler( "any" ) );
    r.add_handler( router::none_of_methods( http_method_get(), http_method_head() ), "/any",
        rec.handler( "none" ) );

    router::dynamic_any_of_methods_matcher_t dyn_any;
    CHECK( dyn_any.empty() );
    dyn_any.add( http_method_put() ).add( http_method_post() );
    CHECK( dyn_any.size() == 2u );
    r.add_handler( dyn_any, "/dyn", rec.handler( "dyn-any" ) );          // copied
    r.add_handler( router::dynamic_none_of_methods_matcher_t{}.add( http_method_delete() ),
        "/dyn", rec.handler( "dyn-none" ) );                             // moved

    struct only_lock_t final : public router::method_matcher_t
    {
        bool match( const http_method_id_t & m ) const noexcept override
        {
            return m == http_method_lock();
        }
    };
    r.add_handler( only_lock_t{}, "/custom", rec.handler( "custom" ) );
    const http_method_id_t copy_method = http_method_merge();
    r.add_handler( copy_method, "/custom", rec.handler( "merge" ) );

    auto any_lvalue = router::any_of_methods( http_method_trace() );
    r.add_handler( any_lvalue, "/trace", rec.handler( "trace" ) );      // non-const lvalue copy

    CHECK( route( r, rec, http_method_get(), "/any" ).route == "any" );
    CHECK( route( r, rec, http_method_head(), "/any" ).route == "any" );
    CHECK( route( r, rec, http_method_post(), "/any" ).route == "none" );
    CHECK( route( r, rec, http_method_put(), "/dyn" ).route == "dyn-any" );
    CHECK( route( r, rec, http_method_post(), "/dyn" ).route == "dyn-any" );
    CHECK( route( r, rec, http_method_get(), "/dyn" ).route == "dyn-none" );
    CHECK( route( r, rec, http_method_delete(), "/dyn" ).route.empty() );
    CHECK( route( r, rec, http_method_lock(), "/custom" ).route == "custom" );
    CHECK( route( r, rec, http_method_merge(), "/custom" ).route == "merge" );
    CHECK( route( r, rec, http_method_get(), "/custom" ).route.empty() );
    CHECK( route( r, rec, http_method_trace(), "/trace" ).route == "trace" );

    CHECK( router::any_of_methods().match( http_method_get() ) == false );
    CHECK( router::none_of_methods().match( http_method_get() ) == true );
}

TEST_CASE( "no match: the non-matched handler, or not_handled", "[router][express]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/x", rec.handler( "x" ) );
    CHECK( route( r, rec, http_method_get(), "/y" ).status == request_not_handled() );

    std::string seen;
    r.non_matched_request_handler( [&]( request_handle_t req ) {
        seen = std::string{ req->header().path() };
        return request_accepted();
    } );
    CHECK( route( r, rec, http_method_get(), "/y?q" ).status == request_accepted() );
    CHECK( seen == "/y" );
    CHECK( route( r, rec, http_method_get(), "/x" ).route == "x" );

    // A handler's own answer is passed through untouched.
    r.http_get( "/reject", []( request_handle_t, route_params_t ) { return request_rejected(); } );
    CHECK( route( r, rec, http_method_get(), "/reject" ).status == request_rejected() );
}

TEST_CASE( "route options", "[router][express][options]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/Sens", path2regex::options_t{}.sensitive( true ), rec.handler( "sensitive" ) );
    r.http_get( "/strict", path2regex::options_t{}.strict( true ), rec.handler( "strict" ) );
    r.http_get( "/prefix", path2regex::options_t{}.ending( false ), rec.handler( "prefix" ) );
    r.http_post( "/p", path2regex::options_t{}.strict( true ), rec.handler( "post" ) );
    r.http_put( "/p", path2regex::options_t{}.strict( true ), rec.handler( "put" ) );
    r.http_delete( "/p", path2regex::options_t{}.strict( true ), rec.handler( "delete" ) );
    r.http_head( "/p", path2regex::options_t{}.strict( true ), rec.handler( "head" ) );
    r.add_handler( http_method_patch(), "/p", path2regex::options_t{}, rec.handler( "patch" ) );

    CHECK( route( r, rec, http_method_get(), "/Sens" ).route == "sensitive" );
    CHECK( route( r, rec, http_method_get(), "/sens" ).route.empty() );
    CHECK( route( r, rec, http_method_get(), "/strict" ).route == "strict" );
    CHECK( route( r, rec, http_method_get(), "/strict/" ).route.empty() );
    CHECK( route( r, rec, http_method_get(), "/prefix/and/more" ).route == "prefix" );
    CHECK( route( r, rec, http_method_get(), "/prefixed" ).route.empty() );
    CHECK( route( r, rec, http_method_post(), "/p" ).route == "post" );
    CHECK( route( r, rec, http_method_put(), "/p" ).route == "put" );
    CHECK( route( r, rec, http_method_delete(), "/p" ).route == "delete" );
    CHECK( route( r, rec, http_method_head(), "/p" ).route == "head" );
    CHECK( route( r, rec, http_method_patch(), "/p/" ).route == "patch" );
    CHECK( route( r, rec, http_method_post(), "/p/" ).route.empty() );
}

TEST_CASE( "only percent-encoded unreserved characters are decoded", "[router][express][percent]" )
{
    router::express_router_t r;
    recorder_t rec;
    r.http_get( "/~user", rec.handler( "tilde" ) );
    r.http_get( "/a/b", rec.handler( "a-b" ) );
    r.http_get( "/name/:n", rec.handler( "name" ) );

    CHECK( route( r, rec, http_method_get(), "/%7Euser" ).route == "tilde" );
    CHECK( route( r, rec, http_method_get(), "/%7euser" ).route == "tilde" );
    CHECK( route( r, rec, http_method_get(), "/%61/%62" ).route == "a-b" );
    CHECK( route( r, rec, http_method_get(), "/a%2Fb" ).route.empty() );    // '/' stays encoded

    using p = std::vector< std::string >;
    CHECK( route( r, rec, http_method_get(), "/name/%7Ejo%2D" ).params == p{ "n=~jo-" } );
    CHECK( route( r, rec, http_method_get(), "/name/a%20b" ).params == p{ "n=a%20b" } );
    CHECK( route( r, rec, http_method_get(), "/name/a%2Fb" ).params == p{ "n=a%2Fb" } );
    CHECK( route( r, rec, http_method_get(), "/name/%C3%A9" ).params == p{ "n=%C3%A9" } );
    // Malformed sequences are kept as they are, not thrown at.
    CHECK( route( r, rec, http_method_get(), "/name/%G1" ).params == p{ "n=%G1" } );
    CHECK( route( r, rec, http_method_get(), "/name/x%4" ).params == p{ "n=x%4" } );
    CHECK( route( r, rec, http_method_get(), "/name/%" ).params == p{ "n=%" } );
}

TEST_CASE( "route_params_t", "[router][express][params]" )
{
    static_assert( !std::is_copy_constructible_v< route_params_t > );
    static_assert( !std::is_copy_assignable_v< route_params_t > );
    static_assert( std::is_move_constructible_v< route_params_t > );
    static_assert( std::is_move_assignable_v< route_params_t > );
    static_assert( std::is_same_v< route_params_t::named_parameters_container_t,
        std::vector< std::pair< string_view_t, string_view_t > > > );

    std::optional< route_params_t > kept;
    {
        auto r = std::make_unique< router::express_router_t >();
        r->http_get( "/u/:id/(\\w+)/:k", [&]( request_handle_t, route_params_t p ) {
            kept.emplace( std::move( p ) );
            return request_accepted();
        } );
        CHECK( ( *r )( make_request( http_method_get(), "/u/%7E7/ab/x?q=1" ) )
            == request_accepted() );
    }   // the router and the request are gone; the views must still be valid

    REQUIRE( kept.has_value() );
    route_params_t params = std::move( *kept );    // and after a move
    kept.reset();
    CHECK( params.match() == "/u/~7/ab/x" );
    CHECK( params[ "id" ] == "~7" );
    CHECK( params[ "k" ] == "x" );
    CHECK( params[ 0 ] == "ab" );
    CHECK( params.has( "id" ) );
    CHECK_FALSE( params.has( "ID" ) );
    CHECK( params.get_param( "k" ) == string_view_t{ "x" } );
    CHECK_FALSE( params.get_param( "nope" ).has_value() );
    CHECK( params.named_parameters_size() == 2u );
    CHECK( params.indexed_parameters_size() == 1u );
    CHECK_THROWS_WITH( params[ "nope" ], "invalid parameter name: nope" );
    CHECK_THROWS_WITH( params[ 1 ], "invalid parameter index: 1" );
    CHECK_THROWS_AS( params[ 7u ], exception_t );

    route_params_t empty;
    CHECK( empty.match().empty() );
    CHECK( empty.named_parameters_size() == 0u );
}

TEST_CASE( "restinio::get, value_or and opt_value on route parameters", "[router][express][get]" )
{
    router::express_router_t r;
    bool ran = false;
    r.http_get( "/item/:id/:name/(\\d+)", [&]( auto, auto params ) {
        ran = true;
        CHECK( restinio::get< int >( params, "id" ) == 42 );
        CHECK( restinio::get< std::uint8_t >( params, 0 ) == 7 );
        CHECK( restinio::get< std::string >( params, "name" ) == "bob" );
        CHECK_THROWS_AS( restinio::get< int >( params, "name" ), exception_t );
        CHECK_THROWS_AS( restinio::get< int >( params, "missing" ), exception_t );
        CHECK( restinio::value_or( params, "id", 0L ) == 42L );
        CHECK( restinio::value_or( params, "missing", 5 ) == 5 );
        CHECK( restinio::value_or< std::string >( params, "missing", "dflt" ) == "dflt" );
        CHECK( restinio::opt_value< int >( params, "id" ) == 42 );
        CHECK_FALSE( restinio::opt_value< int >( params, "missing" ).has_value() );
        CHECK_THROWS_AS( restinio::opt_value< int >( params, "name" ), exception_t );
        CHECK( cast_to< unsigned >( params[ "id" ] ) == 42u );
        return request_accepted();
    } );
    CHECK( r( make_request( http_method_get(), "/item/42/bob/7" ) ) == request_accepted() );
    CHECK( ran );

    // restinio has `using std::get;`: both kinds of call still resolve.
    const std::tuple< int, std::string > t{ 1, "two" };
    CHECK( std::get< 0 >( t ) == 1 );
    CHECK( restinio::get< 1 >( t ) == "two" );
    CHECK( get< std::string >( t ) == "two" );    // unqualified, with using namespace restinio
}

TEST_CASE( "malformed routes throw when added", "[router][express]" )
{
    router::express_router_t r;
    const auto h = []( request_handle_t, route_params_t ) { return request_accepted(); };
    CHECK_THROWS_AS( r.http_get( "/a(b", h ), exception_t );
    CHECK_THROWS_AS( r.http_get( "/a)b", h ), exception_t );
    CHECK_THROWS_AS( r.http_get( "/:id(", h ), exception_t );
    CHECK_THROWS_AS( r.http_get( "/:id([z-a])", h ), exception_t );
    CHECK( r( make_request( http_method_get(), "/a(b" ) ) == request_not_handled() );
}

TEST_CASE( "a handler's exception reaches the caller", "[router][express]" )
{
    router::express_router_t r;
    r.http_get( "/boom", []( request_handle_t, route_params_t ) -> request_handling_status_t {
        throw std::runtime_error{ "boom" };
    } );
    CHECK_THROWS_WITH( r( make_request( http_method_get(), "/boom" ) ), "boom" );
}

namespace
{

struct user_data_t
{
    int value{ 17 };
};

} // namespace

TEST_CASE( "generic router with another extra-data factory", "[router][express][generic]" )
{
    using factory_t = simple_extra_data_factory_t< user_data_t >;
    router::generic_express_router_t< router::std_regex_engine_t, factory_t > r;
    int seen = 0;
    r.http_get( "/x/:v", [&]( generic_request_handle_t< user_data_t > req, route_params_t p ) {
        seen = req->extra_data().value + restinio::get< int >( p, "v" );
        return request_accepted();
    } );
    r.non_matched_request_handler( []( generic_request_handle_t< user_data_t > ) {
        return request_rejected();
    } );
    CHECK( r( make_request< factory_t >( http_method_get(), "/x/3" ) ) == request_accepted() );
    CHECK( seen == 20 );
    CHECK( r( make_request< factory_t >( http_method_get(), "/y" ) ) == request_rejected() );
}

TEST_CASE( "express_route_entry_t on its own", "[router][express][entry]" )
{
    router::express_route_entry_t<> entry{ http_method_get(), "/e/:id",
        []( request_handle_t, route_params_t p ) {
            return p[ "id" ] == "9" ? request_accepted() : request_rejected();
        } };
    static_assert( !std::is_copy_constructible_v< router::express_route_entry_t<> > );

    auto req = make_request( http_method_get(), "/e/9" );
    router::impl::target_path_holder_t path{ req->header().path() };
    route_params_t params;
    REQUIRE( entry.match( req->header(), path, params ) );
    CHECK( entry.handle( req, std::move( params ) ) == request_accepted() );

    auto post = make_request( http_method_post(), "/e/9" );
    router::impl::target_path_holder_t post_path{ post->header().path() };
    route_params_t none;
    CHECK_FALSE( entry.match( post->header(), post_path, none ) );
}
