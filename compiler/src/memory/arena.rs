//! Packing tensor lifetimes into arena buffers.
//!
//! Each tensor is live over an inclusive range of schedule steps. Tensors whose lifetimes overlap
//! may not overlap in memory. WebGPU adds one more rule: a dispatch may not bind one buffer both
//! for reading and for writing, so a tensor may not share an arena with a tensor that some
//! dispatch reads while writing it (or the reverse). Tensors are placed largest first at the
//! lowest offset that respects both rules ("greedy by size"), in the arena where it adds the fewest
//! bytes, within the buffer limit.

/// One tensor to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub size: u64,
    /// First and last schedule step at which the tensor must hold its value (inclusive).
    pub first: usize,
    pub last: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub arena: usize,
    pub offset: u64,
}

pub struct Packing {
    pub placements: Vec<Placement>,
    /// Bytes each arena needs.
    pub arena_sizes: Vec<u64>,
}

/// Places `requests`; `conflicts[i]` lists requests that may not share an arena with request `i`.
/// Returns `None` when a single request exceeds `max_arena`.
///
/// Four placement orders are tried (largest first, ties broken by the earliest start or by the
/// latest end; longest-lived first; earliest first) and the packing with the fewest bytes is
/// kept: none wins on every graph.
pub fn pack(
    requests: &[Request],
    conflicts: &[Vec<usize>],
    alignment: u64,
    max_arena: u64,
) -> Option<Packing> {
    let r = requests;
    let orders: [&dyn Fn(usize) -> (u64, u64, usize); 4] = [
        &|i| (u64::MAX - r[i].size, r[i].first as u64, i),
        &|i| (u64::MAX - r[i].size, u64::MAX - r[i].last as u64, i),
        &|i| {
            (
                u64::MAX - (r[i].last - r[i].first) as u64,
                u64::MAX - r[i].size,
                i,
            )
        },
        &|i| (r[i].first as u64, u64::MAX - r[i].size, i),
    ];
    let mut best: Option<Packing> = None;
    for key in orders {
        let mut order: Vec<usize> = (0..r.len()).collect();
        order.sort_by_key(|&i| key(i));
        let packing = pack_in_order(r, conflicts, alignment, max_arena, &order)?;
        let total = |p: &Packing| p.arena_sizes.iter().sum::<u64>();
        if best.as_ref().is_none_or(|b| total(&packing) < total(b)) {
            best = Some(packing);
        }
    }
    best
}

fn pack_in_order(
    requests: &[Request],
    conflicts: &[Vec<usize>],
    alignment: u64,
    max_arena: u64,
    order: &[usize],
) -> Option<Packing> {
    let mut placements: Vec<Option<Placement>> = vec![None; requests.len()];
    let mut arenas: Vec<Vec<usize>> = Vec::new();
    // Bytes each arena spans so far.
    let mut ends: Vec<u64> = Vec::new();
    for &i in order {
        let request = &requests[i];
        let size = request.size.next_multiple_of(alignment);
        if size > max_arena {
            return None;
        }
        // The placement that grows the arenas' total least; a new arena only when none is allowed.
        let mut chosen: Option<(u64, Placement)> = None;
        for (arena, members) in arenas.iter().enumerate() {
            if members.iter().any(|m| conflicts[i].contains(m)) {
                continue;
            }
            let offset = lowest_offset(requests, &placements, members, request, size, alignment);
            if offset + size > max_arena {
                continue;
            }
            let growth = (offset + size).saturating_sub(ends[arena]);
            if chosen.is_none_or(|(g, p)| (growth, offset) < (g, p.offset)) {
                chosen = Some((growth, Placement { arena, offset }));
            }
        }
        let placement = match chosen {
            Some((_, placement)) => placement,
            None => {
                arenas.push(Vec::new());
                ends.push(0);
                Placement {
                    arena: arenas.len() - 1,
                    offset: 0,
                }
            }
        };
        ends[placement.arena] = ends[placement.arena].max(placement.offset + size);
        arenas[placement.arena].push(i);
        placements[i] = Some(placement);
    }
    let placements: Vec<Placement> = placements
        .into_iter()
        .map(|p| p.expect("every request placed"))
        .collect();
    let arena_sizes = arenas
        .iter()
        .map(|members| {
            (members.iter())
                .map(|&m| placements[m].offset + requests[m].size.next_multiple_of(alignment))
                .max()
                .unwrap_or(0)
        })
        .collect();
    Some(Packing {
        placements,
        arena_sizes,
    })
}

/// The lowest aligned offset in an arena where `request` overlaps no member live at the same time.
fn lowest_offset(
    requests: &[Request],
    placements: &[Option<Placement>],
    members: &[usize],
    request: &Request,
    size: u64,
    alignment: u64,
) -> u64 {
    let mut busy: Vec<(u64, u64)> = (members.iter())
        .filter(|&&m| requests[m].first <= request.last && request.first <= requests[m].last)
        .map(|&m| {
            let offset = placements[m].expect("members are placed").offset;
            (
                offset,
                offset + requests[m].size.next_multiple_of(alignment),
            )
        })
        .collect();
    busy.sort();
    let mut candidate = 0;
    for (start, end) in busy {
        if candidate + size <= start {
            break;
        }
        candidate = candidate.max(end);
    }
    candidate
}

/// The most bytes live at any one step: no packing of these lifetimes can use less.
pub fn lower_bound(requests: &[Request], alignment: u64) -> u64 {
    let steps = requests.iter().map(|r| r.last + 1).max().unwrap_or(0);
    let mut change = vec![0i64; steps + 1];
    for r in requests {
        let size = r.size.next_multiple_of(alignment) as i64;
        change[r.first] += size;
        change[r.last + 1] -= size;
    }
    let mut live = 0i64;
    let mut peak = 0;
    for delta in &change[..steps] {
        live += delta;
        peak = peak.max(live);
    }
    peak as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(size: u64, first: usize, last: usize) -> Request {
        Request { size, first, last }
    }

    #[test]
    fn disjoint_lifetimes_share_memory() {
        let requests = [req(256, 0, 1), req(256, 2, 3)];
        let packing = pack(&requests, &[vec![], vec![]], 256, 1 << 20).unwrap();
        assert_eq!(packing.placements[0], packing.placements[1]);
        assert_eq!(packing.arena_sizes, [256]);
    }

    #[test]
    fn overlapping_lifetimes_do_not_overlap_in_memory() {
        let requests = [req(300, 0, 2), req(100, 1, 3), req(256, 2, 2)];
        let packing = pack(&requests, &[vec![], vec![], vec![]], 256, 1 << 20).unwrap();
        let spans: Vec<(u64, u64)> = (0..3)
            .map(|i| {
                (
                    packing.placements[i].offset,
                    packing.placements[i].offset + requests[i].size,
                )
            })
            .collect();
        for a in 0..3 {
            for b in a + 1..3 {
                assert!(
                    spans[a].1 <= spans[b].0 || spans[b].1 <= spans[a].0,
                    "{spans:?}"
                );
            }
        }
        assert_eq!(packing.arena_sizes, [1024]);
        assert_eq!(lower_bound(&requests, 256), 1024);
    }

    #[test]
    fn conflicting_tensors_get_different_arenas() {
        let requests = [req(256, 0, 1), req(256, 1, 2)];
        let packing = pack(&requests, &[vec![1], vec![0]], 256, 1 << 20).unwrap();
        assert_ne!(packing.placements[0].arena, packing.placements[1].arena);
    }

    #[test]
    fn arenas_respect_the_size_limit() {
        let requests = [req(512, 0, 1), req(512, 0, 1)];
        let packing = pack(&requests, &[vec![], vec![]], 256, 768).unwrap();
        assert_eq!(packing.arena_sizes, [512, 512]);
        assert!(pack(&[req(1024, 0, 0)], &[vec![]], 256, 768).is_none());
    }
}
