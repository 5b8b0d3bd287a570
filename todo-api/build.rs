// `sqlx::migrate!` embeds the migrations at compile time; without this line
// cargo would not notice a new migration file and rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
