#![no_main]

#[path = "../../data-import/tests/targets/mod.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    targets::run("dwc_table", data);
});
