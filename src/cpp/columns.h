// SPDX-License-Identifier: Apache-2.0
// Columnar results: ads (from a query, a history stream, an event log) collected straight into
// typed columns, without one Python ClassAd per row; `finish` turns them into numpy arrays.
#pragma once

#include "bindings.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace htcpb {

class ColumnBuilder {
public:
    // `projection` fixes the columns and their order; empty: every attribute seen, in the order
    // first seen.
    explicit ColumnBuilder(const std::vector<std::string> &projection);

    // Appends one row.  Library code only (libclassad): callers may hold the library lock, and
    // must not hold the GIL needlessly.
    void add(const classad::ClassAd &ad);

    // Appends every ad, releasing each once added; call with the GIL (released meanwhile).
    void consume(std::vector<std::shared_ptr<classad::ClassAd>> &ads);

    size_t rows() const { return rows_; }

    // The columns as {name: numpy array}, with the GIL and without the library lock.
    py::dict finish();

private:
    enum Kind : uint8_t { Missing = 0, Int, Real, Bool, String, Other };
    struct Cell {
        Kind kind;
        union {
            int64_t i;
            double d;
            uint64_t s;  // index into Column::strings (String and Other)
        };
    };
    struct Column {
        std::string name;
        std::vector<Cell> cells;
        std::vector<std::string> strings;
        unsigned seen = 0;  // bit per Kind present
    };

    Column &column_for(const std::string &name);
    static void append(Column &col, const classad::Value &value, const classad::ExprTree *expr);

    std::vector<Column> columns_;
    std::unordered_map<std::string, size_t> index_;  // lower-cased name -> column
    bool fixed_;
    size_t rows_ = 0;
};

}  // namespace htcpb
