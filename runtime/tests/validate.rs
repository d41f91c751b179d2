//! Plan validation needs no device.

mod common;

use common::Bundle;
use onnx2wgsl_runtime::plan::{Plan, Region, FORMAT_VERSION};
use onnx2wgsl_runtime::Error;

fn validate(change: impl FnOnce(&mut Plan)) -> Result<(), Error> {
    let mut plan = Bundle::new().plan;
    change(&mut plan);
    plan.validate()
}

#[test]
fn the_test_plan_is_valid_and_round_trips_through_json() {
    let plan = Bundle::new().plan;
    plan.validate().unwrap();
    assert_eq!(Plan::from_json(plan.to_json().as_bytes()).unwrap(), plan);
}

#[test]
fn a_wrong_version_is_rejected() {
    let mut plan = Bundle::new().plan;
    plan.format_version = FORMAT_VERSION + 1;
    let err = Plan::from_json(plan.to_json().as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::Version { found, expected } if found == FORMAT_VERSION + 1 && expected == FORMAT_VERSION)
    );
    assert!(matches!(plan.validate(), Err(Error::Version { .. })));
}

#[test]
fn malformed_json_is_a_bad_plan() {
    assert!(matches!(
        Plan::from_json(b"{\"format_version\": 1"),
        Err(Error::BadPlan(_))
    ));
}

#[test]
fn regions_must_lie_inside_their_buffers() {
    let err = validate(|p| p.outputs[0].region.offset = 512).unwrap_err();
    assert!(
        matches!(
            err,
            Error::RegionOutOfBounds {
                buffer: 2,
                offset: 512,
                size: 16,
                buffer_size: 512,
                ..
            }
        ),
        "{err}"
    );
    // The end of a region must not overflow either.
    let err = validate(|p| p.dispatches[0].bindings[0].offset = u64::MAX - 255).unwrap_err();
    assert!(matches!(err, Error::RegionOutOfBounds { .. }), "{err}");
}

#[test]
fn offsets_must_be_256_aligned() {
    let err = validate(|p| p.dispatches[0].bindings[1].offset = 128).unwrap_err();
    assert!(
        matches!(&err, Error::MisalignedOffset { offset: 128, what } if what.contains("Add_1")),
        "{err}"
    );
}

#[test]
fn indices_must_be_in_range() {
    let err = validate(|p| p.dispatches[1].shader = 3).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IndexOutOfRange {
                kind: "shader",
                index: 3,
                count: 3,
                ..
            }
        ),
        "{err}"
    );
    let err = validate(|p| p.inputs[0].region.buffer = 7).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IndexOutOfRange {
                kind: "buffer",
                index: 7,
                count: 4,
                ..
            }
        ),
        "{err}"
    );
    let err = validate(|p| p.buffers[3].shard = Some(1)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IndexOutOfRange {
                kind: "shard",
                index: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_dispatch_may_not_exceed_the_binding_limit() {
    let err = validate(|p| {
        let region = Region {
            buffer: 0,
            offset: 0,
            size: 16,
        };
        p.dispatches[1].bindings = vec![region; 9];
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyBindings {
                count: 9,
                limit: 8,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn sizes_grids_shards_and_hashes_are_checked() {
    type Change = fn(&mut Plan);
    let cases: [(&str, Change); 8] = [
        ("size 6", |p| p.buffers[0].size = 6),
        ("has 32", |p| p.shards[0].size = 32),
        ("fills no buffer", |p| p.buffers[3].shard = None),
        ("needs 64 bytes", |p| p.inputs[0].shape = vec![4, 4]),
        ("workgroups", |p| {
            p.dispatches[0].workgroups = [65_536, 1, 1]
        }),
        ("not 64 lower-case hex", |p| {
            p.shaders[0].sha256.make_ascii_uppercase()
        }),
        ("declared twice", |p| p.outputs[1].name = "y".to_owned()),
        ("uniform binding", |p| {
            p.dispatches[0].params = vec![0; 4097]
        }),
    ];
    for (needle, change) in cases {
        match validate(change) {
            Err(Error::BadPlan(message)) => assert!(message.contains(needle), "{message}"),
            other => panic!("expected a bad plan about `{needle}`, got {other:?}"),
        }
    }
}

#[test]
fn an_empty_grid_is_refused() {
    let err = validate(|p| p.dispatches[1].workgroups = [0, 1, 1]).unwrap_err();
    assert!(
        matches!(&err, Error::BadPlan(m) if m.contains("Mul_2") && m.contains("include 0")),
        "{err}"
    );
}

#[test]
fn outputs_nothing_writes_are_refused() {
    let err = validate(|p| p.dispatches.clear()).unwrap_err();
    assert!(
        matches!(&err, Error::OutputNotWritten { name, buffer: 2, .. } if name == "y"),
        "{err}"
    );
    // Dispatch 1 still writes `y`, but now from `t`, which nothing wrote.
    let err = validate(|p| {
        p.dispatches.remove(0);
    })
    .unwrap_err();
    assert!(
        matches!(&err, Error::Unwritten { what, buffer: 1, offset: 0, size: 16 }
            if what.contains("Mul_2") && what.contains("binding 1")),
        "{err}"
    );
    // A binding not marked as written is read, here before anything wrote it.
    let err = validate(|p| p.dispatches[0].writes.clear()).unwrap_err();
    assert!(
        matches!(&err, Error::Unwritten { what, .. } if what == "dispatch 0 (Add_1), binding 2"),
        "{err}"
    );
    let err = validate(|p| p.dispatches[0].writes = vec![2]).unwrap_err();
    assert!(
        matches!(&err, Error::BadPlan(m) if m.contains("writes [2]")),
        "{err}"
    );
}

#[test]
fn a_read_of_partly_written_bytes_is_refused() {
    // Dispatch 1 reads 32 bytes of `t`'s buffer, of which dispatch 0 wrote 16.
    let err = validate(|p| {
        p.buffers[1].size = 32;
        p.dispatches[1].bindings[0].size = 32;
    })
    .unwrap_err();
    assert!(matches!(err, Error::Unwritten { size: 32, .. }), "{err}");
}

#[test]
fn file_names_must_stay_inside_the_bundle() {
    for name in [
        "../../../../etc/passwd",
        "a/b.wgsl",
        "a\\b",
        "",
        ".hidden",
        "..",
        "c:x",
    ] {
        let err = validate(|p| p.shaders[0].file = name.to_owned()).unwrap_err();
        assert!(
            matches!(&err, Error::BadFileName { kind: "shader", file } if file == name),
            "{name:?}: {err}"
        );
        let err = validate(|p| p.shards[0].file = name.to_owned()).unwrap_err();
        assert!(
            matches!(&err, Error::BadFileName { kind: "shard", file } if file == name),
            "{name:?}: {err}"
        );
    }
}
