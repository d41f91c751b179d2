//! Def-before-use over buffer bytes. A dispatch that reads bytes nothing wrote, or an output nothing
//! fills, runs without complaint on the GPU and returns zeros; [`Plan::validate`](crate::Plan)
//! refuses such a plan instead, using this record of the bytes written so far.

use std::collections::HashMap;

use crate::plan::Region;

/// Per buffer, the byte ranges known to hold data: sorted, disjoint and merged when they touch,
/// so a region is covered exactly when one range contains it.
#[derive(Default)]
pub(crate) struct Written {
    ranges: HashMap<u32, Vec<(u64, u64)>>,
}

impl Written {
    /// Records `size` bytes at `offset` of `buffer` as written. The caller has checked that the
    /// range lies inside the buffer, so its end does not overflow.
    pub fn add(&mut self, buffer: u32, offset: u64, size: u64) {
        let ranges = self.ranges.entry(buffer).or_default();
        ranges.push((offset, offset + size));
        ranges.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
        for &(start, end) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        *ranges = merged;
    }

    pub fn add_region(&mut self, region: &Region) {
        self.add(region.buffer, region.offset, region.size);
    }

    /// Whether every byte of `region` was written.
    pub fn covers(&self, region: &Region) -> bool {
        let Some(ranges) = self.ranges.get(&region.buffer) else {
            return false;
        };
        // The last range starting at or before the region's start is the only candidate.
        let after = ranges.partition_point(|&(start, _)| start <= region.offset);
        after > 0 && ranges[after - 1].1 >= region.offset + region.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(offset: u64, size: u64) -> Region {
        Region {
            buffer: 0,
            offset,
            size,
        }
    }

    #[test]
    fn touching_ranges_merge_and_gaps_are_not_covered() {
        let mut w = Written::default();
        w.add(0, 256, 256);
        w.add(0, 0, 256);
        w.add(0, 1024, 16);
        assert!(w.covers(&region(0, 512)));
        assert!(w.covers(&region(256, 4)));
        assert!(!w.covers(&region(256, 512)), "512..768 was never written");
        assert!(!w.covers(&region(768, 512)));
        assert!(w.covers(&region(1024, 16)));
        assert!(!w.covers(&Region {
            buffer: 1,
            offset: 0,
            size: 4
        }));
    }
}
