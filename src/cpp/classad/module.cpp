// SPDX-License-Identifier: Apache-2.0
// classad._core: the only PYBIND11_MODULE of the classad side.  Registration and the translator.
#include "classad_bindings.h"

#include <pybind11/gil_safe_call_once.h>

namespace {

PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> exceptions_module;

py::object exception_class(const char *name) {
    auto &mod = exceptions_module
                    .call_once_and_store_result([] { return py::module_::import("classad._exceptions"); })
                    .get_stored();
    return mod.attr(name);
}

const char *class_name(htcpb::ca::ErrorKind kind) {
    using K = htcpb::ca::ErrorKind;
    switch (kind) {
    case K::Enum: return "ClassAdEnumError";
    case K::Evaluation: return "ClassAdEvaluationError";
    case K::Internal: return "ClassAdInternalError";
    case K::Parse: return "ClassAdParseError";
    case K::Value: return "ClassAdValueError";
    case K::Type: return "ClassAdTypeError";
    case K::OS: return "ClassAdOSError";
    }
    return "ClassAdInternalError";
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "Native layer of the classad module; import classad instead.";
    // Expressions are never shared between ads: other threads may hold ads we evaluate.
    classad::ClassAdSetExpressionCaching(false);

    py::register_local_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);  // dispatch on the C++ type
            }
        } catch (const htcpb::ca::Error &e) {
            py::set_error(exception_class(class_name(e.kind())), e.what());
        }
        // Anything else propagates to pybind11's default translators.
    });

    htcpb::ca::register_classad(m);
    htcpb::ca::register_exprtree(m);
    htcpb::ca::register_parsers(m);
    htcpb::ca::register_functions(m);
}
