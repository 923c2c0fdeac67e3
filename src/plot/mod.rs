//! Pictures (docs/plots.md): PNG maps of tracks and of gridded fields, drawn in pure Rust
//! (tiny-skia) with compiled-in coastlines and font, and the self-contained HTML explorer.
//! Nothing here reads files: `ops::plot` and `ops::explore` hand in tracks and frames.

mod canvas;
mod coastlines;
mod colour;
pub mod explorer;
mod field_map;
mod map;
mod projection;
mod tracks_map;

pub use canvas::Rgba;
pub use coastlines::{Coastline, coastlines};
pub use colour::{Palette, Scale, categorical, palette_colour};
pub use field_map::{FieldStyle, GridFrame, field_map};
pub use map::{MapCanvas, MapLayout, lat_label, lon_label};
pub use projection::{View, wrap180};
pub use tracks_map::{ColourBy, TrackStyle, track_map};

impl MapCanvas {
    /// The picture as PNG bytes.
    pub fn png(&self) -> crate::Result<Vec<u8>> {
        self.canvas.png()
    }
}
