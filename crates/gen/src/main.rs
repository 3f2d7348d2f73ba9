//! `spanorama-gen`: writes generated traces (see `spanorama_gen`) to a file, or rewrites the
//! bundled examples.
//!
//! ```text
//! spanorama-gen --format otlp --traces 1 --spans 100000 --seed 7 --out big.otlp.json
//! spanorama-gen --format jaeger --traces 50 --spans 5..60 --pretty --out shop.jaeger.json
//! spanorama-gen examples static/examples
//! ```
//!
//! On `wasm32` the binary does nothing (it exists there only because Cargo builds every
//! target of the package).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = cli::run(std::env::args().skip(1).collect()) {
        eprintln!("spanorama-gen: {message}");
        std::process::exit(2);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use spanorama_gen::{self as gen, Format, GenConfig};
    use std::fs::File;
    use std::io::{self, BufWriter, Write};
    use std::path::Path;
    use std::time::Instant;

    const USAGE: &str = "\
usage: spanorama-gen [options]            write generated traces
       spanorama-gen examples DIR         rewrite the bundled example files in DIR

options:
  --format otlp|jaeger|zipkin   output format (default otlp)
  --traces N                    number of traces (default 1)
  --spans N | MIN..MAX          spans per trace, exact or a range (default 100)
  --seed S                      random seed (default 1); same seed, same bytes
  --root OP                     frontend operation every trace starts with, e.g. \"GET /cart\"
  --fanout N                    most children per span, 1-6 (default 6)
  --errors X                    scale of failure probabilities (default 1; 0 = no errors)
  --pretty                      indent the JSON
  --out FILE                    output file (default: standard output)";

    pub fn run(args: Vec<String>) -> Result<(), String> {
        if args.first().map(String::as_str) == Some("examples") {
            let dir = args.get(1).ok_or("examples: which directory?")?;
            return write_examples(Path::new(dir));
        }
        let mut cfg = GenConfig::default();
        let mut format = Format::Otlp;
        let mut out: Option<String> = None;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "-h" | "--help" => {
                    println!("{USAGE}");
                    return Ok(());
                }
                "--format" => {
                    let v = value("--format")?;
                    format = Format::from_name(&v).ok_or(format!("unknown format \"{v}\""))?;
                }
                "--traces" => cfg.traces = number(&value("--traces")?)?,
                "--spans" => {
                    let v = value("--spans")?;
                    let (lo, hi) = v.split_once("..").unwrap_or((&v, &v));
                    cfg.spans_min = number(lo)?;
                    cfg.spans_max = number(hi.trim_start_matches('='))?;
                }
                "--seed" => cfg.seed = number(&value("--seed")?)? as u64,
                "--root" => cfg.root_operation = Some(value("--root")?),
                "--fanout" => cfg.max_fanout = number(&value("--fanout")?)? as u32,
                "--errors" => {
                    let v = value("--errors")?;
                    cfg.error_scale = v.parse().map_err(|_| format!("not a number: \"{v}\""))?;
                }
                "--pretty" => cfg.pretty = true,
                "--out" | "-o" => out = Some(value("--out")?),
                other => return Err(format!("unknown argument \"{other}\"\n\n{USAGE}")),
            }
        }
        let started = Instant::now();
        let stats = match &out {
            Some(path) => {
                let file = File::create(path).map_err(|e| format!("{path}: {e}"))?;
                gen::write(&cfg, format, BufWriter::new(file))
                    .map_err(|e| format!("{path}: {e}"))?
            }
            None => gen::write(&cfg, format, io::stdout().lock()).map_err(|e| e.to_string())?,
        };
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "{} traces, {} spans ({} with errors), {} bytes in {:.2} s ({:.0} MB/s)",
            stats.traces,
            stats.spans,
            stats.error_spans,
            stats.bytes,
            seconds,
            stats.bytes as f64 / 1e6 / seconds.max(1e-9)
        );
        Ok(())
    }

    fn number(text: &str) -> Result<usize, String> {
        text.replace('_', "")
            .parse()
            .map_err(|_| format!("not a whole number: \"{text}\""))
    }

    fn write_examples(dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for example in gen::examples() {
            let path = dir.join(example.file_name);
            let (bytes, stats) = gen::to_bytes(&example.config, example.format)?;
            let mut file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            file.write_all(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!(
                "{}: {} traces, {} spans, {} errors, {} bytes",
                path.display(),
                stats.traces,
                stats.spans,
                stats.error_spans,
                bytes.len()
            );
        }
        Ok(())
    }
}
