#include "runtime/program_walk.hpp"

namespace bbvi {

namespace {

// A simplex parameter's elements each read all its K − 1 coordinates
// (runtime/constraint.hpp); a latent's or another parameter's element, its
// own. A Cholesky factor's element reads one coordinate or none, but its
// only reader, a full-rank guide factor, reads it whole: it counts as
// reading them all.
std::size_t shared_coordinates(Parameter const& p) { return p.elementwise() ? 0 : p.coordinates(); }
std::size_t shared_coordinates(LatentVariable const&) { return 0; }

}  // namespace

// `leaves`: the latents or the parameters, each with a slot, an offset and a size.
template <typename Leaves>
ProgramWalk::ProgramWalk(Program const& program, std::vector<Statement> const& block, Leaves const& leaves)
    : program_(&program), roles_(program.slot_names.size()) {
  for (Statement const& st : block)
    if (auto const* d = std::get_if<Definition>(&st)) {
      Role& role = roles_[static_cast<std::size_t>(d->slot)];
      role.kind = Role::Kind::local;
      role.value = &d->value;
    }
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    Role& role = roles_[static_cast<std::size_t>(leaves[i].slot)];
    role.kind = Role::Kind::leaf;
    role.which = i;
    role.offset = leaves[i].offset;
    role.size = leaves[i].size;
    role.shared = shared_coordinates(leaves[i]);
  }
}

ProgramWalk ProgramWalk::of_model(Program const& program) {
  return ProgramWalk(program, program.model, program.latents);
}

ProgramWalk ProgramWalk::of_guide(Program const& program) {
  return ProgramWalk(program, program.guide, program.parameters);
}

}  // namespace bbvi
