// The umbrella header: everything an HTTP server built on this library needs.
#pragma once

#include <restinio/version.hpp>
#include <restinio/asio_include.hpp>
#include <restinio/settings.hpp>
#include <restinio/http_headers.hpp>
#include <restinio/message_builders.hpp>
#include <restinio/http_server.hpp>
#include <restinio/http_server_run.hpp>
#include <restinio/asio_timer_manager.hpp>
#include <restinio/null_timer_manager.hpp>
#include <restinio/null_logger.hpp>
#include <restinio/ostream_logger.hpp>
#include <restinio/uri_helpers.hpp>
#include <restinio/cast_to.hpp>
#include <restinio/value_or.hpp>
#include <restinio/router/express.hpp>

// What user code written against RESTinio gets without including it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
