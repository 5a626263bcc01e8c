// SPDX-License-Identifier: Apache-2.0
// Conversions between Python objects and ClassAd values/expressions, and evaluation.
#include "classad_bindings.h"

#include <pybind11/gil_safe_call_once.h>

#include <climits>
#include <optional>

namespace htcpb::ca {

namespace {

struct PyRefs {
    py::object value_enum;   // classad._value.Value
    py::object datetime;     // datetime.datetime
    py::object mapping_abc;  // collections.abc.Mapping
};

PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<PyRefs> py_refs;

const PyRefs &refs() {
    return py_refs
        .call_once_and_store_result([] {
            return PyRefs{py::module_::import("classad._value").attr("Value"),
                          py::module_::import("datetime").attr("datetime"),
                          py::module_::import("collections.abc").attr("Mapping")};
        })
        .get_stored();
}

classad::Literal *make_literal(const classad::Value &v) { return classad::Literal::MakeLiteral(v); }


classad::ExprTree *mapping_to_ad(py::handle obj) {
    auto ad = std::make_unique<classad::ClassAd>();
    py::object keys = obj.attr("keys")();
    for (py::handle key : keys) {
        if (!py::isinstance<py::str>(key)) {
            raise(ErrorKind::Type, "ClassAd attribute names must be str, not " +
                                       type_name(key));
        }
        std::unique_ptr<classad::ExprTree> value(to_expr(obj[key]));
        const std::string name = utf8_text(key);
        if (!ad->Insert(name, value.get())) {
            raise(ErrorKind::Value, "Unable to insert attribute '" + name + "'");
        }
        value.release();  // the ad owns it now
    }
    return ad.release();
}

}  // namespace

classad::ExprTree *value_expr(const classad::Value &v) {
    // Literal::MakeLiteral knows only scalars: it returns null for lists and ads (simplify() of
    // "[]" dereferenced that; found by the atheris fuzzer).  Those become copies of themselves.
    if (classad::ExprTree *lit = classad::Literal::MakeLiteral(v)) {
        return lit;
    }
    const classad::ExprList *list = nullptr;
    const classad::ClassAd *ad = nullptr;
    classad::ExprTree *copy = nullptr;
    if (v.IsListValue(list) && list) {
        copy = list->Copy();
    } else if (v.IsClassAdValue(ad) && ad) {
        copy = ad->Copy();
    }
    if (!copy) {
        raise(ErrorKind::Value, "Unable to make an expression of this ClassAd value");
    }
    copy->SetParentScope(nullptr);
    return copy;
}

py::object value_enum(classad::Value::ValueType which) {
    return refs().value_enum(static_cast<int>(which));
}

classad::ExprTree *to_expr(py::handle obj) {
    if (obj.is_none()) {
        return classad::Literal::MakeUndefined();
    }
    if (py::isinstance<ExprHandle>(obj)) {
        return obj.cast<const ExprHandle &>().tree->Copy();
    }
    if (py::isinstance<classad::ClassAd>(obj)) {
        return obj.cast<const classad::ClassAd &>().Copy();
    }
    const PyRefs &r = refs();
    if (py::isinstance(obj, r.value_enum)) {
        const int which = obj.attr("value").cast<int>();
        return which == classad::Value::ERROR_VALUE ? static_cast<classad::ExprTree *>(classad::Literal::MakeError())
                                                    : classad::Literal::MakeUndefined();
    }
    if (PyBool_Check(obj.ptr())) {
        return classad::Literal::MakeBool(obj.ptr() == Py_True);
    }
    if (PyUnicode_Check(obj.ptr())) {
        Py_ssize_t size = 0;
        const char *data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
        if (!data) {
            throw py::error_already_set();
        }
        return classad::Literal::MakeString(data, static_cast<size_t>(size));
    }
    if (PyBytes_Check(obj.ptr())) {
        return classad::Literal::MakeString(PyBytes_AS_STRING(obj.ptr()),
                                            static_cast<size_t>(PyBytes_GET_SIZE(obj.ptr())));
    }
    if (PyLong_Check(obj.ptr())) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
        if (overflow != 0) {
            raise(ErrorKind::Value, "Integer " + std::string(py::str(obj)) +
                                        " does not fit in a ClassAd integer (64 bits)");
        }
        if (v == -1 && PyErr_Occurred()) {
            throw py::error_already_set();
        }
        return classad::Literal::MakeInteger(v);
    }
    if (PyFloat_Check(obj.ptr())) {
        return classad::Literal::MakeReal(PyFloat_AS_DOUBLE(obj.ptr()));
    }
    if (py::isinstance(obj, r.datetime)) {
        // Naive datetimes are local time, as v1 treats them; aware ones carry their zone.
        classad::abstime_t t;
        t.secs = static_cast<time_t>(obj.attr("timestamp")().cast<double>());
        t.offset = 0;
        classad::Value v;
        v.SetAbsoluteTimeValue(t);
        return make_literal(v);
    }
    if (PyDict_Check(obj.ptr()) || py::isinstance(obj, r.mapping_abc)) {
        return mapping_to_ad(obj);
    }
    if (PyObject_HasAttrString(obj.ptr(), "__iter__")) {
        auto list = std::make_unique<classad::ExprList>();
        for (py::handle item : obj) {
            list->push_back(to_expr(item));
        }
        return list.release();
    }
    raise(ErrorKind::Value, "Unable to convert Python object of type " +
                                type_name(obj) +
                                " to a ClassAd expression.");
}

AdPtr to_ad(py::handle obj) {
    if (py::isinstance<classad::ClassAd>(obj)) {
        return obj.cast<AdPtr>();
    }
    if (PyDict_Check(obj.ptr()) || py::isinstance(obj, refs().mapping_abc)) {
        return AdPtr(static_cast<classad::ClassAd *>(mapping_to_ad(obj)));
    }
    raise(ErrorKind::Type, "Expected a ClassAd or a mapping, not " +
                               type_name(obj));
}

bool is_literal_like(const classad::ExprTree *expr) {
    switch (expr->self()->GetKind()) {
    case classad::ExprTree::ERROR_LITERAL:
    case classad::ExprTree::UNDEFINED_LITERAL:
    case classad::ExprTree::BOOLEAN_LITERAL:
    case classad::ExprTree::INTEGER_LITERAL:
    case classad::ExprTree::REAL_LITERAL:
    case classad::ExprTree::RELTIME_LITERAL:
    case classad::ExprTree::ABSTIME_LITERAL:
    case classad::ExprTree::STRING_LITERAL:
    case classad::ExprTree::CLASSAD_NODE:
    case classad::ExprTree::EXPR_LIST_NODE:
        return true;
    default:
        return false;
    }
}

py::object to_python(const classad::Value &value) {
    switch (value.GetType()) {
    case classad::Value::BOOLEAN_VALUE: {
        bool b = false;
        (void)value.IsBooleanValue(b);
        return py::bool_(b);
    }
    case classad::Value::INTEGER_VALUE: {
        long long i = 0;
        (void)value.IsIntegerValue(i);
        return py::int_(i);
    }
    case classad::Value::REAL_VALUE: {
        double d = 0;
        (void)value.IsRealValue(d);
        return py::float_(d);
    }
    case classad::Value::STRING_VALUE: {
        const char *s = nullptr;
        int len = 0;
        (void)value.IsStringValue(s);
        (void)value.IsStringValue(len);
        PyObject *str = PyUnicode_DecodeUTF8(s, static_cast<Py_ssize_t>(len), "surrogateescape");
        if (!str) {
            throw py::error_already_set();
        }
        return py::reinterpret_steal<py::object>(str);
    }
    case classad::Value::UNDEFINED_VALUE:
    case classad::Value::ERROR_VALUE:
        return value_enum(value.GetType());
    case classad::Value::ABSOLUTE_TIME_VALUE: {
        classad::abstime_t t{};
        (void)value.IsAbsoluteTimeValue(t);
        return refs().datetime.attr("fromtimestamp")(static_cast<long long>(t.secs));
    }
    case classad::Value::RELATIVE_TIME_VALUE: {
        double secs = 0;
        (void)value.IsRelativeTimeValue(secs);
        return py::float_(secs);
    }
    case classad::Value::CLASSAD_VALUE:
    case classad::Value::SCLASSAD_VALUE: {
        const classad::ClassAd *nested = nullptr;
        (void)value.IsClassAdValue(nested);
        // Nested ads come back as dict (v1); expressions in it are scoped to a copy of the ad.
        AdPtr copy = std::make_shared<classad::ClassAd>(*nested);
        py::dict out;
        for (const auto &[name, expr] : *copy) {
            out[py::str(name)] = expr_to_python(expr, copy);
        }
        return out;
    }
    case classad::Value::LIST_VALUE:
    case classad::Value::SLIST_VALUE: {
        const classad::ExprList *list = nullptr;
        (void)value.IsListValue(list);
        py::list out;
        for (const classad::ExprTree *item : *list) {
            out.append(expr_to_python(item, nullptr));
        }
        return out;
    }
    default:
        raise(ErrorKind::Enum, "Unknown ClassAd value type.");
    }
}

namespace {
// Evaluates `tree` as if it lived in `scope`, putting its parent scope back afterwards.  The
// tree is not copied: expressions are only ever shared between Python objects that see the same
// expression, and evaluation holds the GIL, so no other thread sees the temporary scope.
class ScopeGuard {
public:
    ScopeGuard(const classad::ExprTree *tree, const classad::ClassAd *scope)
        : tree_(const_cast<classad::ExprTree *>(tree)), old_(tree->GetParentScope()) {
        tree_->SetParentScope(scope);
    }
    ~ScopeGuard() { tree_->SetParentScope(old_); }
    ScopeGuard(const ScopeGuard &) = delete;
    ScopeGuard &operator=(const ScopeGuard &) = delete;

private:
    classad::ExprTree *tree_;
    const classad::ClassAd *old_;
};
}  // namespace

// A list or ad value may point into the scope ("b" in a scope made from a dict) or into the
// evaluation state's temporaries ("eval(\"{1, 2}\")"), which die before the caller converts
// the value (ASan: heap-use-after-free, found by the atheris fuzzer).  The value gets its own
// copy, detached from any scope, while both are still alive.
void own_value(classad::Value &value) {
    if (value.GetType() == classad::Value::LIST_VALUE) {
        const classad::ExprList *list = nullptr;
        if (value.IsListValue(list) && list) {
            auto copy = classad_shared_ptr<classad::ExprList>(static_cast<classad::ExprList *>(list->Copy()));
            copy->SetParentScope(nullptr);
            value.SetListValue(copy);
        }
    } else if (value.GetType() == classad::Value::CLASSAD_VALUE) {
        const classad::ClassAd *ad = nullptr;
        if (value.IsClassAdValue(ad) && ad) {
            auto copy = classad_shared_ptr<classad::ClassAd>(static_cast<classad::ClassAd *>(ad->Copy()));
            copy->SetParentScope(nullptr);
            value.SetClassAdValue(copy);
        }
    }
}

classad::Value evaluate(const classad::ExprTree *tree, classad::ClassAd *scope, classad::ClassAd *target) {
    classad::Value value;
    bool ok;
    {
        std::optional<ScopeGuard> guard;
        if (scope && tree->GetParentScope() != scope) {
            guard.emplace(tree, scope);
        }
        if (target && scope) {
            classad::MatchClassAd match(scope, target);
            ok = tree->Evaluate(value);
            own_value(value);
            match.RemoveLeftAd();
            match.RemoveRightAd();
        } else if (tree->GetParentScope()) {
            ok = tree->Evaluate(value);
            own_value(value);
        } else {
            classad::EvalState state;
            ok = tree->Evaluate(state, value);
            own_value(value);
        }
    }
    if (PyErr_Occurred()) {
        throw py::error_already_set();  // raised by a registered Python function
    }
    if (!ok) {
        raise(ErrorKind::Evaluation, "Unable to evaluate expression");
    }
    return value;
}

py::object expr_to_python(const classad::ExprTree *expr, const AdPtr &ad) {
    if (is_literal_like(expr)) {
        classad::Value value = evaluate(expr, ad.get());
        return to_python(value);
    }
    classad::ExprTree *copy = expr->Copy();
    return py::cast(ExprHandle(copy, ad));
}

void check_depth(const classad::ExprTree *tree) {
    // Iterative: the point is not to recurse once per level.
    std::vector<std::pair<const classad::ExprTree *, int>> todo;
    if (tree) {
        todo.emplace_back(tree, 1);
    }
    std::vector<classad::ExprTree *> kids;
    std::vector<std::pair<std::string, classad::ExprTree *>> attrs;
    while (!todo.empty()) {
        auto [node, depth] = todo.back();
        todo.pop_back();
        node = node->self();
        if (depth > MAX_EXPR_DEPTH) {
            raise(ErrorKind::Parse, "Expression nested more than " + std::to_string(MAX_EXPR_DEPTH) +
                                        " levels deep (refused: evaluating it could overflow the stack)");
        }
        kids.clear();
        switch (node->GetKind()) {
        case classad::ExprTree::OP_NODE: {
            classad::Operation::OpKind op;
            classad::ExprTree *a = nullptr, *b = nullptr, *c = nullptr;
            static_cast<const classad::Operation *>(node)->GetComponents(op, a, b, c);
            kids = {a, b, c};
            break;
        }
        case classad::ExprTree::ATTRREF_NODE: {
            classad::ExprTree *scope = nullptr;
            std::string name;
            bool absolute = false;
            static_cast<const classad::AttributeReference *>(node)->GetComponents(scope, name, absolute);
            kids = {scope};
            break;
        }
        case classad::ExprTree::FN_CALL_NODE: {
            std::string name;
            static_cast<const classad::FunctionCall *>(node)->GetComponents(name, kids);
            break;
        }
        case classad::ExprTree::EXPR_LIST_NODE:
            static_cast<const classad::ExprList *>(node)->GetComponents(kids);
            break;
        case classad::ExprTree::CLASSAD_NODE:
            attrs.clear();
            static_cast<const classad::ClassAd *>(node)->GetComponents(attrs);
            for (const auto &kv : attrs) {
                kids.push_back(kv.second);
            }
            break;
        default:
            break;
        }
        for (classad::ExprTree *kid : kids) {
            if (kid) {
                todo.emplace_back(kid, depth + 1);
            }
        }
    }
}

void check_depth(const classad::ClassAd &ad) {
    for (const auto &kv : ad) {
        check_depth(kv.second);
    }
}

std::string unparse(const classad::ExprTree *expr) {
    classad::ClassAdUnParser unparser;
    std::string out;
    unparser.Unparse(out, expr);
    return out;
}

}  // namespace htcpb::ca
