// tests/e2e/option_wording_test.cpp tests tools/bbvi-ppl/option_wording.hpp:
// the settings a library diagnostic names become the flags the user typed.
#include "tools/bbvi-ppl/option_wording.hpp"

#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it

using namespace bbvi;

TEST_CASE("worded_as_options: a setting's value prefixes the message, mentions become flags, notes too") {
  Diagnostic d;
  d.setting = Setting::samples;
  d.setting_value = "5";
  d.message = "the local estimator with ";
  mention(d, Setting::method);
  d.message += " natural-gradient needs 7 draws";
  CHECK(d.message == "the local estimator with method natural-gradient needs 7 draws");
  Diagnostic note;
  note.severity = Severity::note;
  note.message = "'beta0' is 1e+300 ";
  append_constant_source(note, true);
  d.notes.push_back(note);
  Diagnostic const worded = cli::worded_as_options(d);
  CHECK(worded.message == "--samples 5: the local estimator with --method natural-gradient needs 7 draws");
  CHECK(worded.setting == Setting::none);
  CHECK(worded.mentions.empty());
  REQUIRE(worded.notes.size() == 1);
  CHECK(worded.notes[0].message == "'beta0' is 1e+300 (set with --set)");
}

TEST_CASE("worded_as_options: an override named as the subject, and a value from the model file") {
  Diagnostic d;
  d.setting = Setting::constant_override;
  d.setting_value = "N=5";
  d.message = "N is the number of rows of the data file, not a constant to set";
  CHECK(cli::worded_as_options(d).message ==
        "--set N=5: N is the number of rows of the data file, not a constant to set");
  Diagnostic given;
  given.message = "constant 'k' is 2 ";
  append_constant_source(given, false);
  given.message += ", outside its declared bounds";
  CHECK(cli::worded_as_options(given).message == "constant 'k' is 2 (given), outside its declared bounds");
}
