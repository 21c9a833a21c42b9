// The bad-input suite: every case feeds a tool something wrong and checks, through bad_input.h,
// that it stops with a located message, the right exit status, no crash, and nothing lost. One
// file per group of inputs; `test_bad_inputs --list_content` lists the cases.
#define BOOST_TEST_MODULE bad_inputs
#include <boost/test/unit_test.hpp>
