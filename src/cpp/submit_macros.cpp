// SPDX-License-Identifier: Apache-2.0
// Macro reference cycles in submit descriptions.  libcondor_utils 23.9.6 expands submit macros
// with no guard against cycles: "a = $(b)" with "b = $(a)" makes expand_macro loop for ever, and
// "y = $INT(y)" recurses until the stack overflows (a segfault), wherever the value is expanded
// (Submit.expand, Submit.jobs, Schedd.submit).  Found by the atheris fuzzer.  Descriptions are
// checked before the library expands anything; a cycle is refused with the path it takes.
#include "submit_macros.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

namespace htcpb {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// The ')' that closes the '(' at `open`, or npos.
size_t close_paren(std::string_view v, size_t open) {
    int depth = 0;
    for (size_t i = open; i < v.size(); ++i) {
        if (v[i] == '(') {
            ++depth;
        } else if (v[i] == ')' && --depth == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

struct Ref {
    std::string name;  // upper case
    bool nested;       // inside a function call or a default value (not a plain "$(name)")
};

// The macro names `v` may expand: "$(name)" and "$(name:default)", and every word inside a
// macro function's arguments ("$INT(name)", "$Fp(name)", "$CHOICE(i, list)"; an over-estimate,
// which can only refuse a description that names a key in a function's literal arguments and
// that key names this one back).  "$$(...)" is left for match time and "$ENV(...)" names
// environment variables.  Iterative over the text, recursive over nesting only.
void collect_refs(std::string_view v, bool nested, std::vector<Ref> &out, int depth = 0) {
    if (depth > 64) {
        return;  // the library gives up long before this
    }
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '$') {
            continue;
        }
        size_t j = i + 1;
        if (j < v.size() && v[j] == '$') {
            if (j + 1 < v.size() && v[j + 1] == '(') {
                const size_t c = close_paren(v, j + 1);
                if (c == std::string_view::npos) {
                    return;
                }
                i = c;
            } else {
                i = j;
            }
            continue;
        }
        while (j < v.size() && (std::isalnum(static_cast<unsigned char>(v[j])) || v[j] == '_')) {
            ++j;
        }
        if (j >= v.size() || v[j] != '(') {
            continue;
        }
        const size_t c = close_paren(v, j);
        if (c == std::string_view::npos) {
            return;  // unterminated: the library leaves it as text
        }
        const std::string fn = upper(v.substr(i + 1, j - i - 1));
        const std::string_view body = v.substr(j + 1, c - j - 1);
        if (fn.empty()) {
            const size_t colon = body.find(':');
            const std::string_view name = trim(body.substr(0, colon));
            if (name.find('$') != std::string_view::npos) {
                collect_refs(name, true, out, depth + 1);  // "$($(a))": a computed name
            } else {
                out.push_back({upper(name), nested});
            }
            if (colon != std::string_view::npos) {
                collect_refs(body.substr(colon + 1), true, out, depth + 1);
            }
        } else {
            if (fn != "ENV" && fn != "RANDOM_INTEGER") {
                for (size_t k = 0; k < body.size();) {
                    if (!word_char(body[k])) {
                        ++k;
                        continue;
                    }
                    size_t e = k;
                    while (e < body.size() && word_char(body[e])) {
                        ++e;
                    }
                    out.push_back({upper(body.substr(k, e - k)), true});
                    k = e;
                }
            }
            collect_refs(body, true, out, depth + 1);
        }
        i = c;
    }
}

}  // namespace

std::optional<std::string> macro_cycle(const std::vector<std::pair<std::string, std::string>> &items) {
    std::map<std::string, std::vector<std::string>> edges;  // key -> keys its value may expand
    std::map<std::string, std::string> spelling;            // upper -> as written
    for (const auto &[key, value] : items) {
        spelling[upper(key)] = key;
        edges[upper(key)];
    }
    for (const auto &[key, value] : items) {
        const std::string k = upper(key);
        std::vector<Ref> refs;
        collect_refs(value, false, refs);
        for (const Ref &r : refs) {
            // "x = $(x)" refers to an earlier definition of x, which the library handles.
            if (edges.count(r.name) && !(r.name == k && !r.nested)) {
                edges[k].push_back(r.name);
            }
        }
    }
    // Iterative depth-first search for a back edge.
    enum Colour { White, Grey, Black };
    std::map<std::string, Colour> colour;
    for (const auto &[start, unused] : edges) {
        if (colour[start] != White) {
            continue;
        }
        std::vector<std::pair<std::string, size_t>> stack{{start, 0}};
        colour[start] = Grey;
        while (!stack.empty()) {
            auto &[node, next] = stack.back();
            const auto &out = edges[node];
            if (next == out.size()) {
                colour[node] = Black;
                stack.pop_back();
                continue;
            }
            const std::string to = out[next++];
            if (colour[to] == Grey) {
                std::string path;
                bool on = false;
                for (const auto &frame : stack) {
                    on = on || frame.first == to;
                    if (on) {
                        path += spelling[frame.first] + " -> ";
                    }
                }
                return path + spelling[to];
            }
            if (colour[to] == White) {
                colour[to] = Grey;
                stack.emplace_back(to, 0);
            }
        }
    }
    return std::nullopt;
}

}  // namespace htcpb
