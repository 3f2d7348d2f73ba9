//! The service graph's viewport: the one authority for world ↔ screen coordinates of a
//! graph drawing (as `TimeScale` is for the waterfall), fitting, zooming at the pointer,
//! panning, and finding the node or edge under a point.

/// Least and most screen pixels per world unit.
pub const MIN_SCALE: f64 = 0.02;
pub const MAX_SCALE: f64 = 8.0;

/// `screen = world * scale + offset`, in CSS pixels.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct GraphViewport {
    pub scale: f64,
    pub offset_x: f64,
    pub offset_y: f64,
}

/// A world-space box (`min` to `max`).
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct WorldBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Default for GraphViewport {
    fn default() -> Self {
        GraphViewport {
            scale: 1.0,
            offset_x: 0.0,
            offset_y: 0.0,
        }
    }
}

impl GraphViewport {
    /// Shows all of `world` in a `width` × `height` view with `padding` pixels around,
    /// centred, at most at scale 1.5 (a small graph is not blown up).
    pub fn fit(world: WorldBox, width: f64, height: f64, padding: f64) -> Self {
        let (w, h) = (
            (world.max_x - world.min_x).max(1.0),
            (world.max_y - world.min_y).max(1.0),
        );
        let room = |v: f64| (v - 2.0 * padding).max(1.0);
        let scale = (room(width) / w)
            .min(room(height) / h)
            .clamp(MIN_SCALE, 1.5);
        let cx = (world.min_x + world.max_x) / 2.0;
        let cy = (world.min_y + world.max_y) / 2.0;
        GraphViewport {
            scale,
            offset_x: width / 2.0 - cx * scale,
            offset_y: height / 2.0 - cy * scale,
        }
    }

    pub fn to_screen(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            x * self.scale + self.offset_x,
            y * self.scale + self.offset_y,
        )
    }

    pub fn to_world(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            (x - self.offset_x) / self.scale,
            (y - self.offset_y) / self.scale,
        )
    }

    /// Zoomed by `factor` about the screen point `at`, which keeps showing the same world
    /// point (the scale stays within [`MIN_SCALE`]..[`MAX_SCALE`]).
    pub fn zoomed_at(&self, at: (f64, f64), factor: f64) -> Self {
        let scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let world = self.to_world(at);
        GraphViewport {
            scale,
            offset_x: at.0 - world.0 * scale,
            offset_y: at.1 - world.1 * scale,
        }
    }

    /// Moved by `(dx, dy)` screen pixels.
    pub fn panned(&self, dx: f64, dy: f64) -> Self {
        GraphViewport {
            offset_x: self.offset_x + dx,
            offset_y: self.offset_y + dy,
            ..*self
        }
    }
}

/// A screen-space box, CSS pixels.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct ScreenBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl ScreenBox {
    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.x + self.width && y >= self.y && y <= self.y + self.height
    }
}

/// Largest size of the overview, CSS pixels, and its margin from the view's corner.
const OVERVIEW_MAX: (f64, f64) = (200.0, 130.0);
const OVERVIEW_MARGIN: f64 = 8.0;

/// The overview: the whole graph, small, in the bottom-right corner of a view that shows
/// only part of it, with the part shown outlined; a point on it moves the view there.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Overview {
    /// Where it is drawn.
    pub inset: ScreenBox,
    /// World → inset pixels.
    pub map: GraphViewport,
}

impl Overview {
    /// The overview of `world` for `view` in a `width` × `height` view; `None` when all of
    /// `world` is in view, or the view is too small to spare the room.
    pub fn of(world: WorldBox, view: GraphViewport, width: f64, height: f64) -> Option<Self> {
        let (a, b) = (
            view.to_screen((world.min_x, world.min_y)),
            view.to_screen((world.max_x, world.max_y)),
        );
        let all_in = a.0 >= 0.0 && a.1 >= 0.0 && b.0 <= width && b.1 <= height;
        if all_in || width < 3.0 * OVERVIEW_MAX.0 || height < 2.0 * OVERVIEW_MAX.1 {
            return None;
        }
        let (w, h) = (
            (world.max_x - world.min_x).max(1.0),
            (world.max_y - world.min_y).max(1.0),
        );
        let scale = (OVERVIEW_MAX.0 / w).min(OVERVIEW_MAX.1 / h);
        let (iw, ih) = (w * scale, h * scale);
        let inset = ScreenBox {
            x: width - OVERVIEW_MARGIN - iw,
            y: height - OVERVIEW_MARGIN - ih,
            width: iw,
            height: ih,
        };
        let map = GraphViewport {
            scale,
            offset_x: inset.x - world.min_x * scale,
            offset_y: inset.y - world.min_y * scale,
        };
        Some(Overview { inset, map })
    }

    /// The part of the world `view` shows, on the overview, clipped to it.
    pub fn shown(&self, view: GraphViewport, width: f64, height: f64) -> ScreenBox {
        let on_map = |p: (f64, f64)| self.map.to_screen(view.to_world(p));
        let (a, b) = (on_map((0.0, 0.0)), on_map((width, height)));
        let i = self.inset;
        let x0 = a.0.clamp(i.x, i.x + i.width);
        let y0 = a.1.clamp(i.y, i.y + i.height);
        let x1 = b.0.clamp(i.x, i.x + i.width);
        let y1 = b.1.clamp(i.y, i.y + i.height);
        ScreenBox {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }

    /// `view` moved so that the world point under overview point `p` is at its centre.
    pub fn centred_at(
        &self,
        view: GraphViewport,
        p: (f64, f64),
        width: f64,
        height: f64,
    ) -> GraphViewport {
        let world = self.map.to_world(p);
        GraphViewport {
            offset_x: width / 2.0 - world.0 * view.scale,
            offset_y: height / 2.0 - world.1 * view.scale,
            ..view
        }
    }
}

/// The index of the circle (`(x, y, radius)`, world units) under world point `p`, the
/// nearest centre when circles overlap; `slack` world units of tolerance around each.
pub fn circle_at(
    circles: impl IntoIterator<Item = (f64, f64, f64)>,
    p: (f64, f64),
    slack: f64,
) -> Option<usize> {
    circles
        .into_iter()
        .enumerate()
        .map(|(i, (x, y, r))| (i, (x - p.0).hypot(y - p.1), r + slack))
        .filter(|&(_, d, reach)| d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _, _)| i)
}

/// The index of the polyline within `reach` world units of `p` (the nearest).
pub fn polyline_at<'a>(
    lines: impl IntoIterator<Item = &'a [(f64, f64)]>,
    p: (f64, f64),
    reach: f64,
) -> Option<usize> {
    lines
        .into_iter()
        .enumerate()
        .filter_map(|(i, points)| {
            let d = points
                .windows(2)
                .map(|w| segment_distance(w[0], w[1], p))
                .fold(f64::INFINITY, f64::min);
            (d <= reach).then_some((i, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(a: (f64, f64), b: (f64, f64), p: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (a.0 + t * dx - p.0).hypot(a.1 + t * dy - p.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORLD: WorldBox = WorldBox {
        min_x: -100.0,
        min_y: 0.0,
        max_x: 900.0,
        max_y: 500.0,
    };

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn fitting_shows_everything_centred() {
        let v = GraphViewport::fit(WORLD, 520.0, 400.0, 10.0);
        assert_eq!(v.scale, 0.5);
        assert!(close(v.to_screen((-100.0, 0.0)), (10.0, 75.0)));
        assert!(close(v.to_screen((900.0, 500.0)), (510.0, 325.0)));
        // A small graph is not blown up; an empty or flat one does not divide by zero.
        let small = WorldBox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 10.0,
            max_y: 10.0,
        };
        assert_eq!(GraphViewport::fit(small, 800.0, 600.0, 20.0).scale, 1.5);
        let flat = WorldBox {
            min_x: 5.0,
            min_y: 5.0,
            max_x: 5.0,
            max_y: 5.0,
        };
        assert!(GraphViewport::fit(flat, 800.0, 600.0, 20.0)
            .scale
            .is_finite());
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer() {
        let v = GraphViewport::fit(WORLD, 800.0, 600.0, 20.0);
        let at = (333.0, 222.0);
        let world = v.to_world(at);
        let z = v.zoomed_at(at, 1.7);
        assert!(close(z.to_screen(world), at));
        assert!((z.scale - v.scale * 1.7).abs() < 1e-12);
        assert_eq!(v.zoomed_at(at, 1e9).scale, MAX_SCALE);
        assert_eq!(v.zoomed_at(at, 1e-9).scale, MIN_SCALE);
        let back = z.zoomed_at(at, 1.0 / 1.7);
        assert!(close(back.to_world(at), world));
    }

    #[test]
    fn panning_moves_the_picture_and_round_trips() {
        let v = GraphViewport::fit(WORLD, 800.0, 600.0, 20.0);
        let p = v.panned(15.0, -7.0);
        assert!(close(p.to_screen((1.0, 2.0)), {
            let s = v.to_screen((1.0, 2.0));
            (s.0 + 15.0, s.1 - 7.0)
        }));
        assert!(close(p.to_world(p.to_screen((42.0, -3.0))), (42.0, -3.0)));
    }

    #[test]
    fn the_overview_shows_when_part_is_out_of_view_and_moves_the_view() {
        let (w, h) = (800.0, 600.0);
        let fitted = GraphViewport::fit(WORLD, w, h, 20.0);
        assert_eq!(Overview::of(WORLD, fitted, w, h), None);
        let zoomed = fitted.zoomed_at((400.0, 300.0), 4.0);
        let o = Overview::of(WORLD, zoomed, w, h).unwrap();
        // In the bottom-right corner, the world's shape, at most 200 × 130.
        assert!(close(
            (o.inset.x + o.inset.width, o.inset.y + o.inset.height),
            (792.0, 592.0)
        ));
        assert!((o.inset.width / o.inset.height - 2.0).abs() < 1e-9);
        assert!(o.inset.width <= 200.0 && o.inset.height <= 130.0);
        assert!(close(
            o.map.to_screen((WORLD.min_x, WORLD.min_y)),
            (o.inset.x, o.inset.y)
        ));
        // What is shown: a quarter of each side, around the centre.
        let shown = o.shown(zoomed, w, h);
        assert!(o.inset.contains((shown.x, shown.y)));
        assert!(shown.width < o.inset.width / 2.0 && shown.height < o.inset.height / 2.0);
        // A point on it centres the view on that world point.
        let corner = (o.inset.x + 1.0, o.inset.y + 1.0);
        let moved = o.centred_at(zoomed, corner, w, h);
        assert_eq!(moved.scale, zoomed.scale);
        assert!(close(
            moved.to_screen(o.map.to_world(corner)),
            (400.0, 300.0)
        ));
        // A view too small for it has none.
        assert_eq!(Overview::of(WORLD, zoomed, 300.0, 200.0), None);
    }

    #[test]
    fn hits_find_the_nearest_circle_and_line() {
        let circles = [(0.0, 0.0, 10.0), (15.0, 0.0, 10.0), (100.0, 100.0, 5.0)];
        assert_eq!(circle_at(circles, (9.0, 0.0), 0.0), Some(1));
        assert_eq!(circle_at(circles, (2.0, 0.0), 0.0), Some(0));
        assert_eq!(circle_at(circles, (100.0, 107.0), 0.0), None);
        assert_eq!(circle_at(circles, (100.0, 107.0), 3.0), Some(2));
        let a: &[(f64, f64)] = &[(0.0, 0.0), (100.0, 0.0)];
        let b: &[(f64, f64)] = &[(0.0, 10.0), (50.0, 10.0), (50.0, 60.0)];
        assert_eq!(polyline_at([a, b], (30.0, 2.0), 4.0), Some(0));
        assert_eq!(polyline_at([a, b], (52.0, 40.0), 4.0), Some(1));
        assert_eq!(polyline_at([a, b], (80.0, 40.0), 4.0), None);
        let dot: &[(f64, f64)] = &[(5.0, 5.0), (5.0, 5.0)];
        assert_eq!(polyline_at([dot], (6.0, 5.0), 2.0), Some(0));
    }
}
