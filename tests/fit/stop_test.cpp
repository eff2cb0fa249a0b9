// A fit asked to stop ends after the iteration in which it was asked, with
// FitStopped, whatever the method and in every chain that is asked: the
// command line stops a fit this way on SIGINT and SIGTERM.
#include "runtime/bbvi/fit.hpp"
#include "tests/support/fit_helpers.hpp"

#include <catch2/catch.hpp>

using namespace bbvi;

TEST_CASE("fit: stop_requested ends the fit after the iteration in which it turns true") {
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 0.8, 2.1});
  Program const program = testing::compile_model(testing::normal_mean_model, &table);
  for (Method const method : {Method::natural_gradient, Method::adagrad, Method::adam}) {
    INFO(name_of(method));
    FitOptions options;
    options.method = method;
    options.max_iterations = 1000000;  // no method would stop on its own by 5
    options.tolerance = 1e-12;
    int iterations = 0, asked = 0;
    options.on_iteration = [&](IterationRecord const&) { ++iterations; };
    options.stop_requested = [&] { return ++asked == 5; };
    CHECK_THROWS_AS(fit(program, options), FitStopped);
    CHECK(iterations == 5);  // the progress callback still saw every iteration
    CHECK(asked == 5);
  }
}

TEST_CASE("fit: stop_requested works without a progress callback, and never stopping changes nothing") {
  data::CsvTable const table = testing::column_table("x", {0.3, -1.2, 0.8, 2.1});
  Program const program = testing::compile_model(testing::normal_mean_model, &table);
  FitOptions options;
  options.max_iterations = 1000000;
  options.stop_requested = [] { return true; };
  CHECK_THROWS_AS(fit(program, options), FitStopped);
  FitOptions plain;
  FitOptions asked = plain;
  asked.stop_requested = [] { return false; };
  FitResult const a = fit(program, plain), b = fit(program, asked);
  CHECK(a.iterations == b.iterations);
  CHECK(a.u == b.u);
}
