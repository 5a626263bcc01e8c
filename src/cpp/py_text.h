// SPDX-License-Identifier: Apache-2.0
// Text arguments from Python as UTF-8 bytes.  Include after pybind11.
#pragma once

#include <string>

namespace htcpb {

// A str as UTF-8 (bytes as they are).  A str that has no UTF-8 form (lone surrogates, as
// os.fsdecode makes of undecodable bytes) raises UnicodeEncodeError, as v1 did; pybind11's own
// std::string conversion reports such a str as a TypeError ("incompatible function arguments")
// or a RuntimeError ("Unable to cast").
inline std::string utf8_text(pybind11::handle obj) {
    if (PyUnicode_Check(obj.ptr())) {
        Py_ssize_t size = 0;
        const char *data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
        if (data == nullptr) {
            throw pybind11::error_already_set();
        }
        return std::string(data, static_cast<size_t>(size));
    }
    return obj.cast<std::string>();
}

// Library text as a str: UTF-8, with any other byte as a lone surrogate (surrogateescape, as
// string values are converted), so printing an ad, an event or a description whose strings hold
// non-UTF-8 bytes never fails.  v1 raised UnicodeDecodeError there.
inline pybind11::str text_out(const std::string &text) {
    PyObject *s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape");
    if (s == nullptr) {
        throw pybind11::error_already_set();
    }
    return pybind11::reinterpret_steal<pybind11::str>(s);
}

}  // namespace htcpb
