// SPDX-License-Identifier: Apache-2.0
// Columnar results (see columns.h): typed columns built in C++, handed to numpy at the end.
#include "columns.h"

#include <pybind11/numpy.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace htcpb {

namespace {

std::string lower(const std::string &s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

py::object decode(const std::string &s) {
    PyObject *obj = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (!obj) {
        throw py::error_already_set();
    }
    return py::reinterpret_steal<py::object>(obj);
}

// An object array of `n` slots (numpy fills them with None), each to be set with `set`.
struct ObjectArray {
    ObjectArray(const py::module_ &np, size_t n)
        : array(np.attr("empty")(static_cast<py::ssize_t>(n), py::arg("dtype") = "O")) {
        slots = static_cast<PyObject **>(array.mutable_data());
    }
    void set(size_t i, py::object value) {
        PyObject *old = slots[i];
        slots[i] = value.release().ptr();
        Py_XDECREF(old);
    }
    py::array array;
    PyObject **slots;
};

}  // namespace

ColumnBuilder::ColumnBuilder(const std::vector<std::string> &projection) : fixed_(!projection.empty()) {
    for (const auto &name : projection) {
        column_for(name);
    }
}

ColumnBuilder::Column &ColumnBuilder::column_for(const std::string &name) {
    const std::string key = lower(name);
    auto it = index_.find(key);
    if (it != index_.end()) {
        return columns_[it->second];
    }
    index_.emplace(key, columns_.size());
    Column &col = columns_.emplace_back();
    col.name = name;
    col.cells.resize(rows_, Cell{Missing, {0}});  // a column first seen late: earlier rows lack it
    if (rows_) {
        col.seen |= 1u << Missing;
    }
    return col;
}

void ColumnBuilder::append(Column &col, const classad::Value &value, const classad::ExprTree *) {
    Cell cell{Missing, {0}};
    long long i;
    double d;
    bool b;
    switch (value.GetType()) {
    case classad::Value::INTEGER_VALUE:
        value.IsIntegerValue(i);
        cell.kind = Int;
        cell.i = i;
        break;
    case classad::Value::REAL_VALUE:
        value.IsRealValue(d);
        cell.kind = Real;
        cell.d = d;
        break;
    case classad::Value::BOOLEAN_VALUE:
        value.IsBooleanValue(b);
        cell.kind = Bool;
        cell.i = b ? 1 : 0;
        break;
    case classad::Value::STRING_VALUE: {
        std::string s;
        value.IsStringValue(s);
        cell.kind = String;
        cell.s = col.strings.size();
        col.strings.push_back(std::move(s));
        break;
    }
    case classad::Value::UNDEFINED_VALUE:
    case classad::Value::ERROR_VALUE:
        break;  // missing
    default: {  // lists, nested ads, times: kept as ClassAd text, evaluated to Python at the end
        std::string text;
        classad::ClassAdUnParser unparser;
        unparser.Unparse(text, value);
        cell.kind = Other;
        cell.s = col.strings.size();
        col.strings.push_back(std::move(text));
        break;
    }
    }
    col.seen |= 1u << cell.kind;
    col.cells.push_back(cell);
}

void ColumnBuilder::add(const classad::ClassAd &ad) {
    classad::Value value;
    if (fixed_) {
        for (auto &col : columns_) {
            value.SetUndefinedValue();
            const classad::ExprTree *expr = ad.Lookup(col.name);
            if (expr) {
                ad.EvaluateAttr(col.name, value);
            }
            append(col, value, expr);
        }
    } else {
        for (const auto &[name, expr] : ad) {
            Column &col = column_for(name);
            if (col.cells.size() > rows_) {
                continue;  // the same attribute twice in a row (case differs): first wins
            }
            value.SetUndefinedValue();
            ad.EvaluateAttr(name, value);
            append(col, value, expr);
        }
        for (auto &col : columns_) {
            if (col.cells.size() == rows_) {
                col.cells.push_back(Cell{Missing, {0}});
                col.seen |= 1u << Missing;
            }
        }
    }
    ++rows_;
}

void ColumnBuilder::consume(std::vector<std::shared_ptr<classad::ClassAd>> &ads) {
    py::gil_scoped_release nogil;  // libclassad only: no library lock either
    for (auto &ad : ads) {
        if (ad) {
            add(*ad);
        }
        ad.reset();
    }
}

py::dict ColumnBuilder::finish() {
    py::module_ np = py::module_::import("numpy");
    py::object masked = np.attr("ma").attr("MaskedArray");
    py::object classad_mod;
    py::dict out;
    const size_t n = rows_;
    for (auto &col : columns_) {
        const bool has_missing = col.seen & (1u << Missing);
        const unsigned present = col.seen & ~(1u << Missing);
        py::array data;
        if (present == (1u << Bool)) {
            py::array_t<bool> a(static_cast<py::ssize_t>(n));
            bool *p = a.mutable_data();
            for (size_t r = 0; r < n; ++r) {
                p[r] = col.cells[r].kind == Bool && col.cells[r].i;
            }
            data = a;
        } else if (present == (1u << Int)) {
            py::array_t<int64_t> a(static_cast<py::ssize_t>(n));
            int64_t *p = a.mutable_data();
            for (size_t r = 0; r < n; ++r) {
                p[r] = col.cells[r].kind == Int ? col.cells[r].i : 0;
            }
            data = a;
        } else if (present == 0 || (present & ~((1u << Int) | (1u << Real))) == 0) {
            py::array_t<double> a(static_cast<py::ssize_t>(n));
            double *p = a.mutable_data();
            for (size_t r = 0; r < n; ++r) {
                const Cell &c = col.cells[r];
                p[r] = c.kind == Real ? c.d : c.kind == Int ? static_cast<double>(c.i)
                                                            : std::numeric_limits<double>::quiet_NaN();
            }
            data = a;
        } else {
            // Strings (one Python str per distinct value), or a mix of kinds: Python values.
            ObjectArray a(np, n);
            std::unordered_map<std::string, py::object> interned;
            for (size_t r = 0; r < n; ++r) {
                const Cell &c = col.cells[r];
                switch (c.kind) {
                case Missing: a.set(r, py::none()); break;
                case Int: a.set(r, py::int_(static_cast<long long>(c.i))); break;
                case Real: a.set(r, py::float_(c.d)); break;
                case Bool: a.set(r, py::bool_(c.i != 0)); break;
                case String: {
                    const std::string &s = col.strings[c.s];
                    auto it = interned.find(s);
                    if (it == interned.end()) {
                        it = interned.emplace(s, decode(s)).first;
                    }
                    a.set(r, it->second);
                    break;
                }
                case Other:
                    if (!classad_mod) {
                        classad_mod = py::module_::import("classad");
                    }
                    a.set(r, classad_mod.attr("ExprTree")(decode(col.strings[c.s])).attr("eval")());
                    break;
                }
            }
            data = a.array;
        }
        if (has_missing) {
            py::array_t<bool> mask(static_cast<py::ssize_t>(n));
            bool *m = mask.mutable_data();
            for (size_t r = 0; r < n; ++r) {
                m[r] = col.cells[r].kind == Missing;
            }
            out[decode(col.name)] = masked(data, py::arg("mask") = mask);
        } else {
            out[decode(col.name)] = data;
        }
        std::vector<Cell>().swap(col.cells);  // free as we go: peak memory is one copy
        std::vector<std::string>().swap(col.strings);
    }
    return out;
}

void register_columns(py::module_ &m) {
    // For ads already in Python (tests, and callers holding ClassAd lists).
    m.def("_columns_of_ads", [](std::vector<std::shared_ptr<classad::ClassAd>> ads,
                                const std::vector<std::string> &projection) {
        ColumnBuilder builder(projection);
        builder.consume(ads);
        return builder.finish();
    });
}

}  // namespace htcpb
