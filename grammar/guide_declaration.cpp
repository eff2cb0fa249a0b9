#include "grammar/guide_declaration.hpp"

namespace bbvi {

namespace {

bool uses_guide_variable(ast::Expr const& e, std::function<bool(std::string_view)> const& is_guide_variable) {
  if (ast::reads_variable(e) && is_guide_variable(e.name)) return true;
  for (ast::Expr const& arg : e.args)
    if (uses_guide_variable(arg, is_guide_variable)) return true;
  return false;
}

}  // namespace

bool defines_guide_local(ast::Declaration const& d, std::function<bool(std::string_view)> const& is_guide_variable) {
  return d.value && uses_guide_variable(*d.value, is_guide_variable);
}

}  // namespace bbvi
