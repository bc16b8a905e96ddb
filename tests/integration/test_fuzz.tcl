# test_fuzz.tcl: every libFuzzer target scripts/fuzz.sh knows, built and
# run briefly (10 s each, FAIL_FUZZ_SECONDS to change it), so that the
# suite catches a target that no longer builds and the shallow bugs a short
# run finds. A target whose sources are not in the tree yet is skipped, and
# all of them without clang. Long runs: doc/TESTING.md, "Fuzzing".

source [file join [file dirname [info script]] harness.tcl]

set fuzz_sh [file normalize [file join $harness::srcdir scripts fuzz.sh]]
set fuzz_secs [expr {[info exists ::env(FAIL_FUZZ_SECONDS)] ?
    $::env(FAIL_FUZZ_SECONDS) : 10}]

foreach fuzz_name [exec sh $fuzz_sh -l] {
	test "fuzz $fuzz_name" {
		if {[auto_execok clang] eq ""} {
			skip "no clang"
		}
		# Building with the sanitizers takes a while besides the run.
		set r [run_prog -timeout [expr {($fuzz_secs + 180) * 1000}] \
		    sh $fuzz_sh $fuzz_name $fuzz_secs]
		set out [dict get $r stdout]
		switch -- [dict get $r code] {
		0 {}
		3 {skip [string trim $out]}
		default {
			fail "scripts/fuzz.sh $fuzz_name $fuzz_secs: exit\
			    [dict get $r code]\n[string trim $out]\n[string trim\
			    [dict get $r stderr]]"
		}
		}
		assert_regexp {stat::number_of_executed_units: *[1-9]} $out
		regexp {stat::number_of_executed_units: *([0-9]+)} $out -> n
		puts "  $fuzz_name: $n executions in $fuzz_secs s"
	}
}

harness_done
