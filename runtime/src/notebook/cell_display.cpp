// The design notes for this module are atop cell_display.hpp.
#include "notebook/cell_display.hpp"

#include <vector>

#include "ast/types.hpp"
#include "dicts.hpp"
#include "values.hpp"

namespace wf::notebook {

using namespace wf::detail;

namespace {

constexpr int64_t kMaxRows = 200;

std::string cell(const char* desc, Slot v) {
  std::string text;
  format_value(text, desc, v, *desc == 's');  // a string bare, as print writes it
  return "<td>" + html_escaped(text) + "</td>";
}

std::string table(const std::vector<std::string>& header, const std::string& rows, int64_t shown, int64_t total) {
  std::string out = "<table><thead><tr>";
  for (const std::string& h : header) out += "<th>" + html_escaped(h) + "</th>";
  out += "</tr></thead><tbody>" + rows + "</tbody></table>";
  if (total > shown) out += "<p>" + std::to_string(total - shown) + " more rows</p>";
  return out;
}

}  // namespace

std::string html_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_of(const char* desc, uint64_t value) {
  TypeRef t = types::from_desc(desc);
  if (!t) return "";
  if (t->is(TypeKind::Array) && (t->elem()->is(TypeKind::Record) || t->elem()->is(TypeKind::Tuple))) {
    TypeRef row = t->elem();
    std::vector<std::string> header;
    for (size_t i = 0; i < row->elems.size(); ++i)
      header.push_back(row->is(TypeKind::Record) ? row->fields[i] : std::to_string(i));
    auto* a = slot_ptr<WfArray>(value);
    std::string rows;
    int64_t shown = std::min<int64_t>(a->len, kMaxRows);
    for (int64_t r = 0; r < shown; ++r) {
      auto* fields = slot_ptr<Slot>(a->data[r]);
      rows += "<tr>";
      for (size_t i = 0; i < row->elems.size(); ++i) rows += cell(row->elems[i]->desc.c_str(), fields[i]);
      rows += "</tr>";
    }
    return table(header, rows, shown, a->len);
  }
  if (t->is(TypeKind::Dict)) {
    auto* m = slot_ptr<WfDict>(value);
    const char* kd = t->elems[0]->desc.c_str();
    const char* vd = t->elems[1]->desc.c_str();
    std::string rows;
    int64_t shown = 0;
    for (int64_t i = 0; i < m->used && shown < kMaxRows; ++i) {
      const DictEntry& e = m->entries[i];
      if (!entry_live(e)) continue;
      rows += "<tr>" + cell(kd, e.key) + cell(vd, e.value) + "</tr>";
      ++shown;
    }
    return table({"key", "value"}, rows, shown, m->len);
  }
  return "";
}

}  // namespace wf::notebook
