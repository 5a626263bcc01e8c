// SPDX-License-Identifier: Apache-2.0
// htcondor._core: the only PYBIND11_MODULE.  Registration, the exception translator, versions.
#include "bindings.h"

#include <pybind11/gil_safe_call_once.h>

namespace {

// The Python exception classes live in htcondor/_exceptions.py (bases exactly as v1's); the
// translator looks them up once.
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> exceptions_module;

py::object exception_class(const char *name) {
    auto &mod = exceptions_module
                    .call_once_and_store_result([] { return py::module_::import("htcondor._exceptions"); })
                    .get_stored();
    return mod.attr(name);
}

const char *class_name(htcpb::ErrorKind kind) {
    switch (kind) {
    case htcpb::ErrorKind::Enum: return "HTCondorEnumError";
    case htcpb::ErrorKind::Internal: return "HTCondorInternalError";
    case htcpb::ErrorKind::IO: return "HTCondorIOError";
    case htcpb::ErrorKind::Locate: return "HTCondorLocateError";
    case htcpb::ErrorKind::Reply: return "HTCondorReplyError";
    case htcpb::ErrorKind::Type: return "HTCondorTypeError";
    case htcpb::ErrorKind::Value: return "HTCondorValueError";
    }
    return "HTCondorInternalError";
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "Native layer of htcondor-pybind; import htcondor instead.";
    htcpb::install_except_hook();

    py::register_local_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);  // dispatch on the C++ type
            }
        } catch (const htcpb::Error &e) {
            py::set_error(exception_class(class_name(e.kind())), e.what());
        } catch (const htcpb::ExceptError &e) {
            py::set_error(exception_class("HTCondorInternalError"),
                          (std::string("HTCondor internal error: ") + e.what()).c_str());
        }
        // Anything else propagates to pybind11's default translators.
    });

    // Enumerations from the C++ headers, filled by the register_* functions (htcondor/_enums.py).
    m.attr("_enum_tables") = py::dict();
    htcpb::register_config(m);
    htcpb::register_event_log(m);
    htcpb::register_submit(m);
    htcpb::register_schedd(m);
    htcpb::register_schedd_files(m);
    htcpb::register_collector(m);
    htcpb::register_admin(m);
    htcpb::register_credd(m);
    htcpb::register_tokens(m);
    htcpb::register_dagman(m);
    htcpb::register_columns(m);
    auto test = m.def_submodule("_test");
    htcpb::register_test(test);
}
