// The vocabulary of a WebSocket conversation: opcodes, close status codes, the final-frame flag
// and message_t, the unit handed to a user's message handler.
//
// These names and signatures are RESTinio's public API (namespace restinio::websocket::basic), so
// user code written against RESTinio compiles unchanged. A message_t stands for exactly one frame
// (RESTinio never joins fragments). The header is pure vocabulary: no I/O, no Asio, and it
// compiles on its own.
#pragma once

#include <restinio/string_view.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

// One list of the valid opcodes (RFC 6455 5.2), expanded into the enum, opcode_to_string and
// is_valid_opcode. RESTinio leaves this macro defined, so we do too.
#define RESTINIO_WEBSOCKET_OPCODES_MAP( RESTINIO_GEN ) \
    RESTINIO_GEN( continuation_frame,     0x00 ) \
    RESTINIO_GEN( text_frame,             0x01 ) \
    RESTINIO_GEN( binary_frame,           0x02 ) \
    RESTINIO_GEN( connection_close_frame, 0x08 ) \
    RESTINIO_GEN( ping_frame,             0x09 ) \
    RESTINIO_GEN( pong_frame,             0x0A )

namespace restinio
{

namespace websocket
{

namespace basic
{

// Raw-data aliases RESTinio declares next to its frame parser; user code names them.
using byte_t = unsigned char;
using raw_data_t = std::string;

//
// opcode_t
//

// The 4-bit opcode of a frame. Values other than the six valid ones can reach this type by a
// cast; unknown_frame is RESTinio's catch-all name for them.
enum class opcode_t : std::uint8_t
{
#define RESTINIO_WEBSOCKET_OPCODE_ENUMERATOR_GEN( name, code ) name = code,
    RESTINIO_WEBSOCKET_OPCODES_MAP( RESTINIO_WEBSOCKET_OPCODE_ENUMERATOR_GEN )
#undef RESTINIO_WEBSOCKET_OPCODE_ENUMERATOR_GEN
    unknown_frame = 0x0F
};

// The enumerator's name as text; "unknown_frame" for unknown_frame and for reserved values.
inline const char *
opcode_to_string( opcode_t opcode )
{
    switch( opcode )
    {
#define RESTINIO_WEBSOCKET_OPCODE_NAME_GEN( name, code ) \
    case opcode_t::name: return #name;
        RESTINIO_WEBSOCKET_OPCODES_MAP( RESTINIO_WEBSOCKET_OPCODE_NAME_GEN )
#undef RESTINIO_WEBSOCKET_OPCODE_NAME_GEN
    case opcode_t::unknown_frame: break;
    }
    return "unknown_frame";
}

// True for the six opcodes RFC 6455 5.2 defines; false for unknown_frame and reserved values.
inline bool
is_valid_opcode( opcode_t opcode )
{
    switch( opcode )
    {
#define RESTINIO_WEBSOCKET_OPCODE_VALID_GEN( name, code ) \
    case opcode_t::name: return true;
        RESTINIO_WEBSOCKET_OPCODES_MAP( RESTINIO_WEBSOCKET_OPCODE_VALID_GEN )
#undef RESTINIO_WEBSOCKET_OPCODE_VALID_GEN
    case opcode_t::unknown_frame: break;
    }
    return false;
}

//
// status_code_t
//

// Close status codes (RFC 6455 7.4.1, and 1012-1014 from IANA's WebSocket Close Code Number
// Registry, which RESTinio lacks). The enum is open: any 16-bit value, such as an application's
// 3000-4999 code, can be cast into it. 1004 is reserved and has no name.
enum class status_code_t : std::uint16_t
{
    normal_closure           = 1000,
    going_away               = 1001,
    protocol_error           = 1002,
    cant_accept_data         = 1003,
    no_status_provided       = 1005,
    connection_lost          = 1006,
    invalid_message_data     = 1007,
    policy_violation         = 1008,
    too_big_message          = 1009,
    more_extensions_expected = 1010,
    unexpected_condition     = 1011,
    service_restart          = 1012,
    try_again_later          = 1013,
    bad_gateway              = 1014
};

// The code as the first two bytes of a close payload, in network byte order (RFC 6455 5.5.1).
// No reason text is added: append one to the result if needed.
inline std::string
status_code_to_bin( status_code_t code )
{
    const auto value = static_cast< std::uint16_t >( code );
    std::string result( 2u, '\0' );
    result[ 0 ] = static_cast< char >( static_cast< std::uint8_t >( value >> 8 ) );
    result[ 1 ] = static_cast< char >( static_cast< std::uint8_t >( value & 0xFFu ) );
    return result;
}

// Reads the big-endian code at the start of a close payload; the reason after it is ignored.
// Returns status_code_t{0} for a payload shorter than two bytes. Does not validate the code.
inline status_code_t
status_code_from_bin( string_view_t data )
{
    if( data.size() < 2u )
        return static_cast< status_code_t >( 0 );

    const auto high = static_cast< std::uint8_t >( data[ 0 ] );
    const auto low = static_cast< std::uint8_t >( data[ 1 ] );
    return static_cast< status_code_t >(
        static_cast< std::uint16_t >( ( high << 8 ) | low ) );
}

//
// final_frame_flag_t
//

// The FIN bit as an enum, so call sites read `final_frame` instead of a bare `true`.
enum class final_frame_flag_t : std::uint8_t
{
    final_frame,
    not_final_frame
};

constexpr final_frame_flag_t final_frame = final_frame_flag_t::final_frame;
constexpr final_frame_flag_t not_final_frame = final_frame_flag_t::not_final_frame;

//
// message_t
//

// One WebSocket frame as the application sees it: FIN flag, opcode and unmasked payload.
// Copyable and movable; user code often copies an incoming message to answer it.
class message_t final : public std::enable_shared_from_this< message_t >
{
public:
    message_t() = default;

    message_t( final_frame_flag_t final_flag, opcode_t opcode )
        : m_final_flag{ final_flag }
        , m_opcode{ opcode }
    {}

    message_t( final_frame_flag_t final_flag, opcode_t opcode, std::string payload )
        : m_final_flag{ final_flag }
        , m_opcode{ opcode }
        , m_payload{ std::move( payload ) }
    {}

    final_frame_flag_t
    final_flag() const noexcept { return m_final_flag; }

    void
    set_final_flag( final_frame_flag_t final_flag ) noexcept { m_final_flag = final_flag; }

    bool
    is_final() const noexcept { return final_frame_flag_t::final_frame == m_final_flag; }

    opcode_t
    opcode() const noexcept { return m_opcode; }

    void
    set_opcode( opcode_t opcode ) noexcept { m_opcode = opcode; }

    const std::string &
    payload() const noexcept { return m_payload; }

    // Mutable access so a handler can move the payload out instead of copying it.
    std::string &
    payload() noexcept { return m_payload; }

    void
    set_payload( std::string str ) { m_payload = std::move( str ); }

private:
    final_frame_flag_t m_final_flag = final_frame_flag_t::final_frame;
    opcode_t m_opcode = opcode_t::continuation_frame;
    std::string m_payload;
};

using message_handle_t = std::shared_ptr< message_t >;

// Kept only so that code naming it compiles: RESTinio never uses it, and its single argument
// makes it unusable as a handler for upgrade().
using default_message_handler_t = std::function< void ( message_handle_t ) >;

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
