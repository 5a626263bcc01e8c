// SPDX-License-Identifier: Apache-2.0
// Registering Python callables as ClassAd functions; library-wide information.
#include "classad_bindings.h"

#include <algorithm>
#include <cctype>

namespace htcpb::ca {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// v1 passes `state=<copy of the evaluating ad>` only to functions that can take it.
bool accepts_state(py::handle fn) {
    py::object code = py::getattr(fn, "__code__", py::none());
    if (code.is_none()) {
        return false;
    }
    const int argcount = code.attr("co_argcount").cast<int>();
    py::tuple names = code.attr("co_varnames");
    for (int i = 0; i < argcount && i < static_cast<int>(names.size()); ++i) {
        if (names[i].cast<std::string>() == "state") {
            return true;
        }
    }
    return (code.attr("co_flags").cast<int>() & 0x08) != 0;  // CO_VARKEYWORDS
}

// The one ClassAd function behind every registered Python callable; `name` selects it.
bool call_python_function(const char *name, const classad::ArgumentList &args, classad::EvalState &state,
                          classad::Value &result) {
    // Evaluation may run on a thread that released the GIL (inside libcondor_utils).
    py::gil_scoped_acquire gil;
    if (PyErr_Occurred()) {
        result.SetErrorValue();  // an earlier call in this evaluation raised: do not run more
        return true;
    }
    try {
        py::dict registry = py::module_::import("classad").attr("_registered_functions");
        py::object fn = registry[py::str(lower(name))];
        py::list pyargs;
        for (const classad::ExprTree *arg : args) {
            if (is_literal_like(arg)) {
                classad::Value v;
                if (!arg->Evaluate(state, v)) {
                    v.SetErrorValue();
                }
                pyargs.append(to_python(v));
            } else {
                pyargs.append(py::cast(ExprHandle(arg->Copy())));
            }
        }
        py::dict kwargs;
        if (state.curAd && accepts_state(fn)) {
            kwargs["state"] = std::make_shared<classad::ClassAd>(*state.curAd);
        }
        py::object value = fn(*pyargs, **kwargs);
        std::unique_ptr<classad::ExprTree> expr(to_expr(value));
        if (!expr->Evaluate(state, result)) {
            result.SetErrorValue();
        }
        own_value(result);  // a list the function returned lives in `expr`, which dies here
    } catch (py::error_already_set &err) {
        // Left set: the evaluate() that started this evaluation re-raises it.
        err.restore();
        result.SetErrorValue();
    } catch (const std::exception &err) {
        PyErr_SetString(PyExc_RuntimeError, err.what());
        result.SetErrorValue();
    }
    return true;
}

}  // namespace

void register_functions(py::module_ &m) {
    m.def("_register", [](const std::string &name) {
        std::string n = name;
        classad::FunctionCall::RegisterFunction(n, &call_python_function);
    });
    m.def("registerLibrary", [](const std::string &path) {
        if (!classad::FunctionCall::RegisterSharedLibraryFunctions(path.c_str())) {
            raise(ErrorKind::OS, "Failed to load shared library '" + path + "': " + classad::CondorErrMsg);
        }
    }, py::arg("path"));
    m.def("lastError", [] { return classad::CondorErrMsg; });
    m.def("version", [] {
        std::string v;
        classad::ClassAdLibraryVersion(v);
        return v;
    });
}

}  // namespace htcpb::ca
