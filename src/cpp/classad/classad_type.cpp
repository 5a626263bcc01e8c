// SPDX-License-Identifier: Apache-2.0
// classad.ClassAd: a mutable mapping of case-insensitive attribute names to values/expressions.
// The mapping operations are in C++ because every query result and event is one of these.
#include "classad_bindings.h"

#include <vector>

namespace htcpb::ca {

namespace {

AdPtr parse_new_ad(const std::string &text) {
    classad::ClassAdParser parser;
    auto ad = std::make_shared<classad::ClassAd>();
    if (!parser.ParseClassAd(text, *ad, true)) {
        raise(ErrorKind::Parse, "Unable to parse string into a ClassAd: " + classad::CondorErrMsg);
    }
    check_depth(*ad);
    return ad;
}

classad::ExprTree *lookup_or_throw(const classad::ClassAd &ad, const std::string &key) {
    classad::ExprTree *expr = ad.Lookup(key);
    if (!expr) {
        throw py::key_error(key);
    }
    return expr;
}

void insert(classad::ClassAd &ad, const std::string &key, py::handle value) {
    std::unique_ptr<classad::ExprTree> expr(to_expr(value));
    if (!ad.Insert(key, expr.get())) {
        raise(ErrorKind::Value, "Unable to insert attribute '" + key + "' into the ClassAd");
    }
    expr.release();  // owned by the ad
}

std::vector<std::string> attribute_names(const classad::ClassAd &ad) {
    std::vector<std::string> names;
    names.reserve(ad.size());
    for (const auto &kv : ad) {
        names.push_back(kv.first);
    }
    return names;
}

// The attribute names as str (text_out: quoted names may hold any bytes).
py::list name_list(const classad::ClassAd &ad) {
    py::list out;
    for (const auto &kv : ad) {
        out.append(text_out(kv.first));
    }
    return out;
}

std::unique_ptr<classad::ExprTree> expr_argument(py::handle obj) {
    if (py::isinstance<py::str>(obj)) {
        classad::ClassAdParser parser;
        std::unique_ptr<classad::ExprTree> expr(parser.ParseExpression(utf8_text(obj), true));
        if (!expr) {
            raise(ErrorKind::Parse, "Unable to parse string into a ClassAd expression");
        }
        check_depth(expr.get());
        return expr;
    }
    return std::unique_ptr<classad::ExprTree>(to_expr(obj));
}

void update_from(classad::ClassAd &ad, py::handle other) {
    if (py::isinstance<classad::ClassAd>(other)) {
        ad.Update(other.cast<const classad::ClassAd &>());
        return;
    }
    if (py::hasattr(other, "keys")) {
        for (py::handle key : other.attr("keys")()) {
            insert(ad, utf8_text(key), other[key]);
        }
        return;
    }
    if (py::hasattr(other, "__iter__")) {
        for (py::handle item : other) {
            py::tuple pair = py::reinterpret_borrow<py::object>(item).cast<py::tuple>();
            if (pair.size() != 2) {
                raise(ErrorKind::Type, "ClassAd.update() needs (key, value) pairs");
            }
            insert(ad, utf8_text(pair[0]), pair[1]);
        }
        return;
    }
    raise(ErrorKind::Type, "ClassAd.update() needs a ClassAd, a mapping or (key, value) pairs");
}

bool matches(const AdPtr &self, const AdPtr &other, bool symmetric) {
    // MatchClassAd re-parents both ads; work on copies so neither caller's ad changes.
    classad::ClassAd left(*self), right(*other);
    classad::MatchClassAd match(&left, &right);
    const bool result = symmetric ? match.symmetricMatch() : match.leftMatchesRight();
    match.RemoveLeftAd();
    match.RemoveRightAd();
    return result;
}

py::list references(const classad::ClassAd &ad, py::handle expr_obj, bool external) {
    std::unique_ptr<classad::ExprTree> expr = expr_argument(expr_obj);
    expr->SetParentScope(&ad);
    classad::References refs;
    const bool ok = external ? ad.GetExternalReferences(expr.get(), refs, true)
                             : ad.GetInternalReferences(expr.get(), refs, true);
    if (!ok) {
        raise(ErrorKind::Value, "Unable to determine the references of the expression");
    }
    py::list out;
    for (const auto &name : refs) {
        out.append(py::str(name));
    }
    return out;
}

}  // namespace

void register_classad(py::module_ &m) {
    py::class_<classad::ClassAd, AdPtr> cls(m, "ClassAd");
    cls.def(py::init([](py::object input) -> AdPtr {
                if (input.is_none()) {
                    return std::make_shared<classad::ClassAd>();
                }
                if (py::isinstance<py::str>(input)) {
                    return parse_new_ad(utf8_text(input));
                }
                if (py::isinstance<classad::ClassAd>(input)) {
                    return std::make_shared<classad::ClassAd>(input.cast<const classad::ClassAd &>());
                }
                return to_ad(input);
            }),
            py::arg("input") = py::none())
        .def("__getitem__",
             [](const AdPtr &self, const std::string &key) {
                 return expr_to_python(lookup_or_throw(*self, key), self);
             })
        .def("__setitem__", [](classad::ClassAd &self, const std::string &key, py::handle value) {
            insert(self, key, value);
        })
        // v1: deleting a missing attribute is silently ignored.
        .def("__delitem__", [](classad::ClassAd &self, const std::string &key) { self.Delete(key); })
        .def("__contains__",
             [](const classad::ClassAd &self, py::handle key) {
                 return py::isinstance<py::str>(key) && self.Lookup(key.cast<std::string>()) != nullptr;
             })
        .def("__len__", [](const classad::ClassAd &self) { return self.size(); })
        // Listings are iterators over a snapshot (v1), so changing the ad while iterating is safe.
        .def("__iter__", [](const classad::ClassAd &self) { return py::iter(name_list(self)); })
        .def("keys", [](const classad::ClassAd &self) { return py::iter(name_list(self)); })
        .def("values",
             [](const AdPtr &self) {
                 // By name: evaluating may run a registered Python function that edits the ad.
                 py::list out;
                 for (const auto &name : attribute_names(*self)) {
                     if (const classad::ExprTree *expr = self->Lookup(name)) {
                         out.append(expr_to_python(expr, self));
                     }
                 }
                 return py::iter(out);
             })
        .def("items",
             [](const AdPtr &self) {
                 py::list out;
                 for (const auto &name : attribute_names(*self)) {
                     if (const classad::ExprTree *expr = self->Lookup(name)) {
                         out.append(py::make_tuple(text_out(name), expr_to_python(expr, self)));
                     }
                 }
                 return py::iter(out);
             })
        .def("get",
             [](const AdPtr &self, const std::string &key, py::object default_value) -> py::object {
                 const classad::ExprTree *expr = self->Lookup(key);
                 return expr ? expr_to_python(expr, self) : default_value;
             },
             py::arg("key"), py::arg("default") = py::none())
        .def("setdefault",
             [](const AdPtr &self, const std::string &key, py::object default_value) -> py::object {
                 if (!self->Lookup(key)) {
                     insert(*self, key, default_value);
                 }
                 return expr_to_python(self->Lookup(key), self);
             },
             py::arg("key"), py::arg("default") = py::none())
        .def("update", [](classad::ClassAd &self, py::handle other) { update_from(self, other); })
        .def("eval",
             [](const AdPtr &self, const std::string &attr) {
                 return to_python(evaluate(lookup_or_throw(*self, attr), self.get()));
             },
             py::arg("attr"))
        .def("lookup",
             [](const AdPtr &self, const std::string &attr) {
                 return ExprHandle(lookup_or_throw(*self, attr)->Copy(), self);
             },
             py::arg("attr"))
        .def("printOld",
             [](const classad::ClassAd &self) {
                 classad::ClassAdUnParser unparser;
                 unparser.SetOldClassAd(true, true);
                 std::string out;
                 for (const auto &[name, expr] : self) {
                     out += name;
                     out += " = ";
                     unparser.Unparse(out, expr);
                     out += '\n';
                 }
                 return text_out(out.empty() ? std::string("\n") : out);  // v1 prints one newline for []
             })
        .def("printJson",
             [](const classad::ClassAd &self) {
                 classad::ClassAdJsonUnParser unparser;
                 std::string out;
                 unparser.Unparse(out, &self);
                 return text_out(out);
             })
        .def("flatten",
             [](const AdPtr &self, py::handle expr_obj) -> py::object {
                 std::unique_ptr<classad::ExprTree> expr = expr_argument(expr_obj);
                 classad::Value value;
                 classad::ExprTree *flat = nullptr;
                 if (!self->Flatten(expr.get(), value, flat)) {
                     if (PyErr_Occurred()) {
                         throw py::error_already_set();
                     }
                     raise(ErrorKind::Value, "Unable to flatten the expression");
                 }
                 if (!flat) {
                     return to_python(value);
                 }
                 return py::cast(ExprHandle(flat, self));
             },
             py::arg("expr"))
        .def("matches", [](const AdPtr &self, py::handle other) { return matches(self, to_ad(other), false); },
             py::arg("ad"))
        .def("symmetricMatch",
             [](const AdPtr &self, py::handle other) { return matches(self, to_ad(other), true); },
             py::arg("ad"))
        .def("externalRefs",
             [](const classad::ClassAd &self, py::handle expr) { return references(self, expr, true); },
             py::arg("expr"))
        .def("internalRefs",
             [](const classad::ClassAd &self, py::handle expr) { return references(self, expr, false); },
             py::arg("expr"))
        .def("__eq__",
             [](const classad::ClassAd &self, py::handle other) {
                 return py::isinstance<classad::ClassAd>(other) &&
                        self.SameAs(&other.cast<const classad::ClassAd &>());
             })
        .def("__ne__",
             [](const classad::ClassAd &self, py::handle other) {
                 return !(py::isinstance<classad::ClassAd>(other) &&
                          self.SameAs(&other.cast<const classad::ClassAd &>()));
             })
        .def("__str__",
             [](const classad::ClassAd &self) {
                 classad::PrettyPrint printer;
                 std::string out;
                 printer.Unparse(out, &self);
                 return text_out(out);
             })
        .def("__repr__", [](const classad::ClassAd &self) { return text_out(unparse(&self)); })
        .def("__copy__", [](const classad::ClassAd &self) { return std::make_shared<classad::ClassAd>(self); })
        .def("__deepcopy__",
             [](const classad::ClassAd &self, py::handle) { return std::make_shared<classad::ClassAd>(self); })
        .def("__reduce__", [](py::object self) {
            return py::make_tuple(py::type::handle_of(self), py::make_tuple(py::repr(self)));
        });
    // Mutable mappings are unhashable.
    cls.attr("__hash__") = py::none();
}

}  // namespace htcpb::ca
