// SPDX-License-Identifier: Apache-2.0
// classad.ExprTree and the expression builders Literal, Attribute, Function.
#include "classad_bindings.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace htcpb::ca {

namespace {

using Op = classad::Operation::OpKind;

ExprHandle parse_expression(const std::string &text) {
    classad::ClassAdParser parser;
    classad::ExprTree *expr = parser.ParseExpression(text, true);
    if (!expr) {
        raise(ErrorKind::Parse, "Unable to parse string into a ClassAd expression: " + text);
    }
    ExprHandle handle(expr);
    check_depth(expr);
    return handle;
}

classad::Value eval_handle(const ExprHandle &self, py::handle scope = py::none(), py::handle target = py::none()) {
    if (!scope.is_none()) {
        AdPtr scope_ad = to_ad(scope);
        AdPtr target_ad = target.is_none() ? nullptr : to_ad(target);
        return evaluate(self.tree.get(), scope_ad.get(), target_ad.get());
    }
    return evaluate(self.tree.get(), self.scope.get());
}

ExprHandle binary(Op kind, classad::ExprTree *left, classad::ExprTree *right) {
    return ExprHandle(classad::Operation::MakeOperation(kind, left, right));
}

// self OP other.  == and != against something that is no ClassAd value are plain false/true.
ExprHandle apply(const ExprHandle &self, Op kind, py::handle other) {
    classad::ExprTree *right = nullptr;
    try {
        right = to_expr(other);
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::Value && e.kind() != ErrorKind::Type) {
            throw;
        }
        if (kind == Op::EQUAL_OP || kind == Op::META_EQUAL_OP) {
            return ExprHandle(classad::Literal::MakeBool(false));
        }
        if (kind == Op::NOT_EQUAL_OP || kind == Op::META_NOT_EQUAL_OP) {
            return ExprHandle(classad::Literal::MakeBool(true));
        }
        throw;
    }
    return binary(kind, self.tree->Copy(), right);
}

ExprHandle rapply(const ExprHandle &self, Op kind, py::handle other) {
    return binary(kind, to_expr(other), self.tree->Copy());
}

long long to_long(const ExprHandle &self) {
    classad::Value v = eval_handle(self);
    long long i = 0;
    double d = 0;
    std::string s;
    if (v.IsIntegerValue(i)) {
        return i;
    }
    if (v.IsRealValue(d)) {
        return static_cast<long long>(d);
    }
    bool b = false;
    if (v.IsBooleanValue(b)) {
        return b ? 1 : 0;
    }
    if (v.IsStringValue(s)) {
        errno = 0;
        char *end = nullptr;
        const long long parsed = std::strtoll(s.c_str(), &end, 10);
        if (errno == ERANGE) {
            raise(ErrorKind::Value, "Overflow when converting string to integer.");
        }
        if (s.empty() || end != s.c_str() + s.size()) {
            raise(ErrorKind::Value, "Unable to convert string '" + s + "' to integer.");
        }
        return parsed;
    }
    raise(ErrorKind::Value, "Unable to convert expression to numeric type.");
}

double to_double(const ExprHandle &self) {
    classad::Value v = eval_handle(self);
    double d = 0;
    std::string s;
    if (v.IsNumber(d)) {
        return d;
    }
    if (v.IsStringValue(s)) {
        errno = 0;
        char *end = nullptr;
        const double parsed = std::strtod(s.c_str(), &end);
        if (errno == ERANGE) {
            raise(ErrorKind::Value, "Overflow or underflow when converting string to float.");
        }
        if (s.empty() || end != s.c_str() + s.size()) {
            raise(ErrorKind::Value, "Unable to convert string '" + s + "' to float.");
        }
        return parsed;
    }
    raise(ErrorKind::Value, "Unable to convert expression to numeric type.");
}

py::object get_item(const ExprHandle &self, py::handle index) {
    const classad::ExprTree *expr = self.tree->self();
    if (expr->GetKind() == classad::ExprTree::EXPR_LIST_NODE) {
        const auto *list = static_cast<const classad::ExprList *>(expr);
        Py_ssize_t i = index.cast<Py_ssize_t>();
        const Py_ssize_t n = list->size();
        if (i < 0) {
            i += n;
        }
        if (i < 0 || i >= n) {
            throw py::index_error("list index out of range");
        }
        const classad::ExprTree *item = *(list->begin() + i);
        return expr_to_python(item, self.scope);
    }
    py::object value = to_python(eval_handle(self));
    if (py::isinstance<py::str>(value) || py::isinstance<py::list>(value)) {
        return value[index];
    }
    raise(ErrorKind::Value, "ClassAd expression is unsubscriptable.");
}

}  // namespace

void register_exprtree(py::module_ &m) {
    py::class_<ExprHandle> cls(m, "ExprTree");
    cls.def(py::init([](py::handle expr) {
                if (py::isinstance<py::str>(expr)) {
                    return parse_expression(utf8_text(expr));
                }
                if (py::isinstance<ExprHandle>(expr)) {
                    const auto &other = expr.cast<const ExprHandle &>();
                    return ExprHandle(other.tree->Copy(), other.scope);
                }
                return ExprHandle(to_expr(expr));
            }),
            py::arg("expr"))
        .def("eval",
             [](const ExprHandle &self, py::handle scope) { return to_python(eval_handle(self, scope)); },
             py::arg("scope") = py::none())
        .def("simplify",
             [](const ExprHandle &self, py::handle scope, py::handle target) {
                 return ExprHandle(value_expr(eval_handle(self, scope, target)));
             },
             py::arg("scope") = py::none(), py::arg("target") = py::none())
        .def("sameAs",
             [](const ExprHandle &self, const ExprHandle &other) { return self.tree->SameAs(other.tree.get()); },
             py::arg("expr"))
        .def("and_", [](const ExprHandle &s, py::handle o) { return apply(s, Op::LOGICAL_AND_OP, o); }, py::arg("expr"))
        .def("or_", [](const ExprHandle &s, py::handle o) { return apply(s, Op::LOGICAL_OR_OP, o); }, py::arg("expr"))
        .def("is_", [](const ExprHandle &s, py::handle o) { return apply(s, Op::META_EQUAL_OP, o); }, py::arg("expr"))
        .def("isnt_", [](const ExprHandle &s, py::handle o) { return apply(s, Op::META_NOT_EQUAL_OP, o); },
             py::arg("expr"))
        .def("__bool__",
             [](const ExprHandle &self) {
                 classad::Value v = eval_handle(self);
                 if (v.IsErrorValue()) {
                     raise(ErrorKind::Evaluation, "Unable to evaluate expression.");
                 }
                 if (v.IsUndefinedValue()) {
                     return false;
                 }
                 const int truth = PyObject_IsTrue(to_python(v).ptr());
                 if (truth < 0) {
                     throw py::error_already_set();
                 }
                 return truth != 0;
             })
        .def("__int__", &to_long)
        .def("__float__", &to_double)
        .def("__str__",
             [](const ExprHandle &self) {
                 classad::PrettyPrint printer;
                 std::string out;
                 printer.Unparse(out, self.tree.get());
                 return text_out(out);
             })
        .def("__repr__", [](const ExprHandle &self) { return text_out(unparse(self.tree.get())); })
        .def("__hash__", [](const ExprHandle &self) { return py::hash(py::str(unparse(self.tree.get()))); })
        .def("__getitem__", &get_item)
        .def("_get",
             [](const ExprHandle &self, py::handle index) {
                 return binary(Op::SUBSCRIPT_OP, self.tree->Copy(), to_expr(index));
             })
        .def("__reduce__", [](py::object self) {
            return py::make_tuple(py::type::handle_of(self), py::make_tuple(py::repr(self)));
        });

    struct OpDef {
        const char *name;
        Op kind;
        bool reflected;
    };
    static const OpDef ops[] = {
        {"__eq__", Op::EQUAL_OP, false},           {"__ne__", Op::NOT_EQUAL_OP, false},
        {"__lt__", Op::LESS_THAN_OP, false},       {"__le__", Op::LESS_OR_EQUAL_OP, false},
        {"__gt__", Op::GREATER_THAN_OP, false},    {"__ge__", Op::GREATER_OR_EQUAL_OP, false},
        {"__add__", Op::ADDITION_OP, false},       {"__sub__", Op::SUBTRACTION_OP, false},
        {"__mul__", Op::MULTIPLICATION_OP, false}, {"__truediv__", Op::DIVISION_OP, false},
        {"__mod__", Op::MODULUS_OP, false},        {"__and__", Op::BITWISE_AND_OP, false},
        {"__or__", Op::BITWISE_OR_OP, false},      {"__xor__", Op::BITWISE_XOR_OP, false},
        {"__lshift__", Op::LEFT_SHIFT_OP, false},  {"__rshift__", Op::RIGHT_SHIFT_OP, false},
        {"__radd__", Op::ADDITION_OP, true},       {"__rsub__", Op::SUBTRACTION_OP, true},
        {"__rmul__", Op::MULTIPLICATION_OP, true}, {"__rtruediv__", Op::DIVISION_OP, true},
        {"__rmod__", Op::MODULUS_OP, true},        {"__rand__", Op::BITWISE_AND_OP, true},
        {"__ror__", Op::BITWISE_OR_OP, true},      {"__rxor__", Op::BITWISE_XOR_OP, true},
        {"__rlshift__", Op::LEFT_SHIFT_OP, true},  {"__rrshift__", Op::RIGHT_SHIFT_OP, true},
    };
    for (const OpDef &op : ops) {
        const Op kind = op.kind;
        if (op.reflected) {
            cls.def(op.name, [kind](const ExprHandle &s, py::handle o) { return rapply(s, kind, o); },
                    py::is_operator());
        } else {
            cls.def(op.name, [kind](const ExprHandle &s, py::handle o) { return apply(s, kind, o); },
                    py::is_operator());
        }
    }
    cls.def("__neg__", [](const ExprHandle &s) {
        return ExprHandle(classad::Operation::MakeOperation(Op::UNARY_MINUS_OP, s.tree->Copy()));
    });
    cls.def("__pos__", [](const ExprHandle &s) {
        return ExprHandle(classad::Operation::MakeOperation(Op::UNARY_PLUS_OP, s.tree->Copy()));
    });
    cls.def("__invert__", [](const ExprHandle &s) {
        return ExprHandle(classad::Operation::MakeOperation(Op::LOGICAL_NOT_OP, s.tree->Copy()));
    });

    m.def("Literal",
          [](py::handle obj) {
              std::unique_ptr<classad::ExprTree> expr(to_expr(obj));
              const auto kind = expr->GetKind();
              if (kind == classad::ExprTree::EXPR_LIST_NODE || kind == classad::ExprTree::CLASSAD_NODE) {
                  raise(ErrorKind::Value, "Lists and ClassAds are not literals; use ExprTree or ClassAd");
              }
              if (is_literal_like(expr.get())) {
                  return ExprHandle(expr.release());
              }
              // Non-literals (an ExprTree argument) are evaluated first.
              return ExprHandle(value_expr(evaluate(expr.get(), nullptr)));
          },
          py::arg("obj"));
    m.def("Attribute",
          [](const std::string &name) {
              return ExprHandle(classad::AttributeReference::MakeAttributeReference(nullptr, name));
          },
          py::arg("name"));
    m.def("Function", [](const std::string &name, py::args args) {
        std::vector<classad::ExprTree *> exprs;
        try {
            for (py::handle arg : args) {
                exprs.push_back(to_expr(arg));
            }
        } catch (...) {
            for (auto *e : exprs) {
                delete e;
            }
            throw;
        }
        return ExprHandle(classad::FunctionCall::MakeFunctionCall(name, exprs));
    });
}

}  // namespace htcpb::ca
