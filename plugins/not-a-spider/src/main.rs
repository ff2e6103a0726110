//! A WebAssembly component that is not a spider (it exports `wasi:cli/run`), for the test
//! of the host's error message.

fn main() {
    println!("I am a command, not a spider");
}
