// SPDX-License-Identifier: Apache-2.0
// Prelude of the classad._core translation units: include it first.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "classad/classad_distribution.h"
#include "classad/fnCall.h"
#include "classad/jsonSink.h"
#include "classad/literals.h"
#include "classad/matchClassad.h"
#include "classad/operators.h"

#include "../kind_error.h"
#include "../py_text.h"

#include <memory>
#include <stdexcept>
#include <string>

namespace py = pybind11;

namespace htcpb::ca {

// The classad exception family; the one translator in classad/module.cpp maps these codes.
enum class ErrorKind { Enum, Evaluation, Internal, Parse, Value, Type, OS };

using Error = KindError<ErrorKind>;

[[noreturn]] inline void raise(ErrorKind kind, const std::string &message) { throw Error(kind, message); }

using AdPtr = std::shared_ptr<classad::ClassAd>;

// What a Python ExprTree holds: an expression of its own (never one living inside an ad, so
// replacing or deleting the attribute cannot leave it dangling) and, when it came from an ad,
// that ad as its evaluation scope, kept alive as long as the expression is.
struct ExprHandle {
    std::shared_ptr<classad::ExprTree> tree;
    AdPtr scope;

    ExprHandle() = default;
    // Takes ownership of `owned`, which must not live in any ad.  Its parent scope is reset to
    // `scope_ad`: a copied expression may still point at the ad it was copied from.
    ExprHandle(classad::ExprTree *owned, AdPtr scope_ad = nullptr)
        : tree(owned), scope(std::move(scope_ad)) {
        tree->SetParentScope(scope.get());
    }
};

// --- conversions (convert.cpp) -----------------------------------------------------------------
// Python -> new expression (caller owns).  Raises ClassAdValueError for unconvertible objects.
classad::ExprTree *to_expr(py::handle obj);
// A value -> Python, by v1's rules (nested ads -> dict, lists -> list, times -> datetime/float,
// undefined/error -> classad.Value).
py::object to_python(const classad::Value &value);
// v1's return policy for ad[key]: literal-like expressions (literals, lists, nested ads) are
// evaluated to Python values, anything else comes back as an ExprTree scoped to `ad`.
py::object expr_to_python(const classad::ExprTree *expr, const AdPtr &ad);
bool is_literal_like(const classad::ExprTree *expr);
// A Python mapping or ClassAd -> a ClassAd (shares a ClassAd, converts a mapping).
AdPtr to_ad(py::handle obj);
// The name of an object's type, for messages.
inline std::string type_name(py::handle obj) {
    return py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
}
// Text to parse, from a str (UTF-8; UnicodeEncodeError if it has none) or bytes.
using htcpb::utf8_text;
using htcpb::text_out;
// The deepest expression tree parsed text may give.  libclassad's parser limits the nesting of
// parentheses, lists, ads and calls to 1000 levels, but chains of operators ("1 + 1 + ...",
// "-  - ... 1", "a.b.c...", "x[0][0]...") are built without recursion and can be arbitrarily
// deep; unparsing and evaluating them recurse once per level and overflowed an 8 MB stack from
// about 18,000 levels (eval of an a.b.c... chain).  Text that parses deeper is refused.
constexpr int MAX_EXPR_DEPTH = 5000;
// Raise ClassAdParseError if `tree` (or any expression of `ad`) is deeper than MAX_EXPR_DEPTH.
void check_depth(const classad::ExprTree *tree);
void check_depth(const classad::ClassAd &ad);
// A value as a new expression (caller owns): a literal, or a copy of a list or ad value.
classad::ExprTree *value_expr(const classad::Value &value);
// Give a list or ad value its own copy, detached from the scope or evaluation state it points
// into (call while those are alive).
void own_value(classad::Value &value);
// Unparse helpers.
std::string unparse(const classad::ExprTree *expr);
// Evaluate `tree` with `scope` (may be null) and optionally a match target.  Re-raises a Python
// exception left by a registered Python function.
classad::Value evaluate(const classad::ExprTree *tree, classad::ClassAd *scope,
                        classad::ClassAd *target = nullptr);
py::object value_enum(classad::Value::ValueType which);

void register_classad(py::module_ &m);
void register_exprtree(py::module_ &m);
void register_parsers(py::module_ &m);
void register_functions(py::module_ &m);

}  // namespace htcpb::ca
