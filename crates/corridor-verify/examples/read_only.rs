fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().take(2000).collect();
    let t = std::time::Instant::now();
    for _ in 0..10 {
        for l in &lines {
            std::hint::black_box(corridor_format::read_wrapped(l.as_bytes()).unwrap());
        }
    }
    println!("read: {:?}", t.elapsed() / (10 * lines.len() as u32));
}
