// `sqlx::migrate!` embeds the migrations at compile time; this makes cargo
// notice a new migration file.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
