//! The compiler's modules form layers: each top-level module of `src/` uses only modules before it
//! in [`STAGES`], so no module cycle can form and no stage reaches into a later one. A `crate::`
//! path in code (comments aside) is a use; the items `lib.rs` re-exports count as their module's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules, earliest first. A module may use the modules before it.
const STAGES: &[&str] = &[
    "proto",     // the ONNX protobuf types
    "target",    // device limits and precision
    "units",     // quantities written for people
    "shard",     // weight bytes
    "npy_size",  // .npy headers
    "error",     // typed errors of every stage
    "strides",   // offsets and strides over shapes
    "order",     // rearranged element orders
    "ir",        // the graph
    "views",     // tensors read through other tensors' storage
    "testing",   // graph builders for unit tests
    "verify",    // the IR's invariants
    "decode",    // .onnx to IR
    "kernels",   // what each kernel family can do
    "passes",    // graph to graph
    "precision", // which float tensors f16 plans keep in f32
    "memory",    // arenas and weight shards
    "codegen",   // kernels to WGSL and dispatches
    "bundle",    // what a build writes
    "execute",   // running a bundle natively
    "finite",    // a run's stored floats checked for infinities and NaNs
    "inspect",   // describing a bundle
    "report",    // what a build did
    "lib",       // the crate root: `compile`
];

/// `text` without `//` comments (doc comments included: their links are not uses).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every `crate::` path in `code`, braced groups included.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth < 0
                })
                .map_or(group.len(), |(i, _)| i);
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group[..end].char_indices().chain([(end, ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.remove("");
    found
}

fn first_segment(path: &str) -> String {
    let path = path.trim_start();
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    path[..end].to_string()
}

/// Item names `lib.rs` re-exports (`pub use module::{A, B}`), with their module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let (module, names) = rest.split_once("::").expect("pub use module::…");
        for name in names.trim_matches(|c| "{};".contains(c)).split(',') {
            items.insert(name.trim().to_string(), module.to_string());
        }
    }
    items
}

/// For each top-level module, the top-level modules its code uses (itself excluded).
fn uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules: BTreeSet<String> = (lib.lines())
        .map(|l| l.trim())
        .filter_map(|l| l.strip_prefix("pub ").unwrap_or(l).strip_prefix("mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let items = reexports(&lib);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if path.extension().is_none_or(|e| e != "rs") || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        for name in crate_paths(&code(&text)) {
            let used = match items.get(&name) {
                Some(m) => m.clone(),
                None if modules.contains(&name) => name,
                None => "lib".to_string(),
            };
            if used != module {
                entry.insert(used);
            }
        }
    }
    graph
}

/// Uses that go to the same or a later stage, as "module -> used" lines.
fn violations(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let stage = |m: &str| STAGES.iter().position(|s| *s == m);
    let mut found = Vec::new();
    for (module, used) in graph {
        let Some(at) = stage(module) else {
            found.push(format!("{module} has no place in STAGES"));
            continue;
        };
        for u in used {
            match stage(u) {
                Some(k) if k < at => {}
                Some(_) => found.push(format!("{module} -> {u}")),
                None => found.push(format!("{module} -> {u}, which has no place in STAGES")),
            }
        }
    }
    found
}

/// A module cycle, if the graph has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(k) = path.iter().position(|n| n == node) {
            return Some(
                path[k..]
                    .iter()
                    .cloned()
                    .chain([node.to_string()])
                    .collect(),
            );
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(graph, next, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    (graph.keys()).find_map(|node| visit(graph, node, &mut Vec::new(), &mut done))
}

#[test]
fn modules_form_layers() {
    let graph = uses(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 10, "the sources were not found: {graph:?}");
    if let Some(cycle) = cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
    let wrong = violations(&graph);
    assert!(
        wrong.is_empty(),
        "uses against the stage order:\n{}\nall uses: {graph:#?}",
        wrong.join("\n")
    );
}

#[test]
fn the_checks_see_cycles_and_late_uses() {
    let paths = crate_paths("use crate::{ir::{Graph, Node}, views::View, CompileError};");
    assert_eq!(
        paths,
        BTreeSet::from(["ir", "views", "CompileError"].map(String::from))
    );
    let graph = BTreeMap::from([
        ("ir".to_string(), BTreeSet::from(["views".to_string()])),
        ("views".to_string(), BTreeSet::from(["ir".to_string()])),
    ]);
    assert_eq!(cycle(&graph).unwrap(), ["ir", "views", "ir"]);
    assert_eq!(violations(&graph), ["ir -> views"]);
}
