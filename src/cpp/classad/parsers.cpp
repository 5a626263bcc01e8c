// SPDX-License-Identifier: Apache-2.0
// Parsing ClassAd documents: parseAds/parseNext/parseOne over strings and files, old and new
// syntax; quote/unquote.
#include "classad_bindings.h"

#include <cctype>

namespace htcpb::ca {

namespace {

// Values of classad.Parser.
enum class Syntax { Auto = 0, Old = 1, New = 2 };

bool blank(const std::string &text, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
        if (!std::isspace(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

Syntax detect(const std::string &text, size_t offset) {
    while (offset < text.size() && std::isspace(static_cast<unsigned char>(text[offset]))) {
        ++offset;
    }
    if (offset < text.size() && (text[offset] == '[' || text[offset] == '/')) {
        return Syntax::New;
    }
    return Syntax::Old;
}

// Reads ads one at a time from a text, keeping its place.  Used for strings and for files
// (whose remaining content is read once).
class AdReader {
public:
    AdReader(std::string text, Syntax syntax) : text_(std::move(text)), syntax_(syntax) {
        if (syntax_ == Syntax::Auto) {
            syntax_ = detect(text_, 0);
        }
    }

    // The next ad, or null at the end.
    AdPtr next() {
        return syntax_ == Syntax::New ? next_new() : next_old();
    }

    size_t offset() const { return offset_; }

private:
    AdPtr next_new() {
        if (blank(text_, offset_, text_.size())) {
            offset_ = text_.size();
            return nullptr;
        }
        auto ad = std::make_shared<classad::ClassAd>();
        int pos = static_cast<int>(offset_);
        if (!parser_->ParseClassAd(text_.c_str(), *ad, pos)) {  // char* source: cheaper per character
            raise(ErrorKind::Parse, "Unable to parse input stream into a ClassAd (at offset " +
                                        std::to_string(offset_) + ")");
        }
        offset_ = static_cast<size_t>(pos);
        check_depth(*ad);
        return ad;
    }

    // Old syntax: "Name = value" lines; ads end at a blank line (or the end); '#' comments.
    AdPtr next_old() {
        AdPtr ad;
        while (offset_ < text_.size()) {
            size_t eol = text_.find('\n', offset_);
            if (eol == std::string::npos) {
                eol = text_.size();
            }
            std::string line = text_.substr(offset_, eol - offset_);
            offset_ = eol < text_.size() ? eol + 1 : eol;
            size_t first = line.find_first_not_of(" \t\r");
            if (first == std::string::npos) {
                if (ad) {
                    check_depth(*ad);
                    return ad;  // blank line ends the ad
                }
                continue;
            }
            if (line[first] == '#') {
                continue;
            }
            if (!ad) {
                ad = std::make_shared<classad::ClassAd>();
            }
            if (!ad->Insert(line)) {
                raise(ErrorKind::Parse, "Unable to parse line into a ClassAd attribute: " + line);
            }
        }
        if (ad) {
            check_depth(*ad);
        }
        return ad;
    }

    std::string text_;
    Syntax syntax_;
    size_t offset_ = 0;
    std::unique_ptr<classad::ClassAdParser> parser_ = std::make_unique<classad::ClassAdParser>();
};

bool is_file(py::handle input) { return py::hasattr(input, "read"); }

std::string read_all(py::handle input) {
    py::object data = input.attr("read")();
    return utf8_text(data);  // bytes as they are; str as UTF-8
}

Syntax syntax_of(py::handle parser) { return static_cast<Syntax>(parser.cast<int>()); }

AdPtr merge_all(AdReader &reader) {
    auto merged = std::make_shared<classad::ClassAd>();
    while (AdPtr ad = reader.next()) {
        merged->Update(*ad);
    }
    return merged;
}

}  // namespace

void register_parsers(py::module_ &m) {
    py::class_<AdReader>(m, "_AdReader")
        .def("__iter__", [](py::object self) { return self; })
        .def("__next__", [](AdReader &self) {
            AdPtr ad = self.next();
            if (!ad) {
                throw py::stop_iteration();
            }
            return ad;
        });

    m.def("_parse_ads",
          [](py::handle input, py::handle parser) {
              std::string text = is_file(input) ? read_all(input) : utf8_text(input);
              return AdReader(std::move(text), syntax_of(parser));
          },
          py::arg("input"), py::arg("parser"));

    // The next ad of a string (always its first) or of a file, which is left positioned after it.
    m.def("_parse_next",
          [](py::handle input, py::handle parser) -> AdPtr {
              if (!is_file(input)) {
                  AdReader reader(utf8_text(input), syntax_of(parser));
                  AdPtr ad = reader.next();
                  if (!ad) {
                      throw py::stop_iteration();
                  }
                  return ad;
              }
              py::object start = input.attr("tell")();
              py::object data = input.attr("read")();
              const bool binary = py::isinstance<py::bytes>(data);
              AdReader reader(utf8_text(data), syntax_of(parser));
              AdPtr ad = reader.next();
              if (!ad) {
                  throw py::stop_iteration();
              }
              // Seek back to just after the ad: a byte offset for binary files; for text files
              // the number of characters the consumed bytes decode to.
              input.attr("seek")(start);
              std::string consumed = utf8_text(data).substr(0, reader.offset());
              if (binary) {
                  input.attr("seek")(start.cast<long long>() + static_cast<long long>(consumed.size()));
              } else {
                  const long long chars = py::len(py::str(consumed));
                  input.attr("read")(chars);
              }
              return ad;
          },
          py::arg("input"), py::arg("parser"));

    m.def("_parse_one",
          [](py::handle input, py::handle parser) {
              std::string text = is_file(input) ? read_all(input) : utf8_text(input);
              AdReader reader(std::move(text), syntax_of(parser));
              return merge_all(reader);
          },
          py::arg("input"), py::arg("parser"));

    m.def("quote", [](const py::str &text) {
        const std::string input = utf8_text(text);
        classad::Value v;
        v.SetStringValue(input);
        classad::ClassAdUnParser unparser;
        std::string out;
        unparser.Unparse(out, v);
        return text_out(out);
    }, py::arg("input"));

    m.def("unquote", [](const py::str &text) {
        const std::string input = utf8_text(text);
        classad::ClassAdParser parser;
        std::unique_ptr<classad::ExprTree> expr(parser.ParseExpression(input, true));
        std::string out;
        classad::Value v;
        bool ok = expr && expr->GetKind() == classad::ExprTree::STRING_LITERAL;
        if (ok) {
            static_cast<classad::Literal *>(expr.get())->GetValue(v);
            ok = v.IsStringValue(out);
        }
        if (!ok) {
            raise(ErrorKind::Parse, "Input string is not a valid ClassAd string literal: " + input);
        }
        return text_out(out);
    }, py::arg("input"));
}

}  // namespace htcpb::ca
