//! The arrays of a store: from consolidated metadata where the store has it (`.zmetadata` of
//! Zarr v2, the `consolidated_metadata` of a v3 root `zarr.json`: one request for everything,
//! which matters over HTTP), else each array's own metadata opened by name.

use super::error::{ZarrError, one_line};
use super::store::get;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use zarrs::array::Array;
use zarrs::metadata::ArrayMetadata;
use zarrs::storage::{ReadableStorage, ReadableStorageTraits};

/// An array of the store.
pub(super) type ZarrArray = Array<dyn ReadableStorageTraits>;

/// The root of a store and what it says about its arrays.
pub(super) struct StoreIndex {
    pub location: String,
    pub storage: ReadableStorage,
    /// Metadata of every root array by name, when the store has consolidated metadata.
    consolidated: Option<BTreeMap<String, Value>>,
}

impl StoreIndex {
    /// Read the root metadata of the store: `.zmetadata`, `zarr.json` or `.zgroup`.
    pub fn open(location: &str, storage: ReadableStorage) -> Result<Self, ZarrError> {
        let json = |key: &str, bytes: Vec<u8>| -> Result<Value, ZarrError> {
            serde_json::from_slice(&bytes).map_err(|e| ZarrError::BadMetadata { location: location.into(), key: key.into(), detail: one_line(&e) })
        };
        let index = |consolidated| StoreIndex { location: location.into(), storage: storage.clone(), consolidated };
        if let Some(bytes) = get(&storage, location, "zarr.json")? {
            let root = json("zarr.json", bytes)?;
            let consolidated = root.pointer("/consolidated_metadata/metadata").and_then(Value::as_object).map(|m| {
                m.iter()
                    .filter(|(name, meta)| !name.contains('/') && meta.get("node_type") == Some(&Value::from("array")))
                    .map(|(n, m)| (n.clone(), m.clone()))
                    .collect()
            });
            return Ok(index(consolidated));
        }
        if let Some(bytes) = get(&storage, location, ".zmetadata")? {
            let root = json(".zmetadata", bytes)?;
            let entries = root.get("metadata").and_then(Value::as_object).ok_or_else(|| ZarrError::BadMetadata {
                location: location.into(),
                key: ".zmetadata".into(),
                detail: "no 'metadata' object".into(),
            })?;
            return Ok(index(Some(consolidated_v2(entries))));
        }
        if get(&storage, location, ".zgroup")?.is_some() {
            return Ok(index(None));
        }
        Err(ZarrError::NotAStore { location: location.into(), detail: "no zarr.json, .zmetadata or .zgroup at its root".into() })
    }

    /// The root array `name`, `None` where the store has none of that name.
    pub fn array(&self, name: &str) -> Result<Option<ZarrArray>, ZarrError> {
        let path = format!("/{name}");
        let unsupported = |e: &dyn std::fmt::Display| ZarrError::Unsupported { location: self.location.clone(), array: name.into(), detail: one_line(e) };
        match &self.consolidated {
            Some(all) => {
                let Some(meta) = all.get(name) else { return Ok(None) };
                let metadata: ArrayMetadata = serde_json::from_value(meta.clone()).map_err(|e| ZarrError::BadMetadata {
                    location: self.location.clone(),
                    key: format!("{name} (consolidated)"),
                    detail: one_line(&e),
                })?;
                Array::new_with_metadata(self.storage.clone(), &path, metadata).map(Some).map_err(|e| unsupported(&e))
            }
            None => match Array::open(self.storage.clone(), &path) {
                Ok(a) => Ok(Some(a)),
                Err(zarrs::array::ArrayCreateError::MissingMetadata) => Ok(None),
                Err(zarrs::array::ArrayCreateError::StorageError(e)) => Err(super::error::storage_error(&self.location, &e)),
                Err(e) => Err(unsupported(&e)),
            },
        }
    }

    /// The first of `names` the store has, with its name.
    pub fn first_array<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Result<Option<(String, ZarrArray)>, ZarrError> {
        for name in names {
            if let Some(a) = self.array(name)? {
                return Ok(Some((name.to_string(), a)));
            }
        }
        Ok(None)
    }

    /// Names of the root arrays, for messages: from consolidated metadata, or by listing a
    /// local directory; remote stores without consolidated metadata cannot tell.
    pub fn array_names(&self) -> Option<Vec<String>> {
        if let Some(all) = &self.consolidated {
            return Some(all.keys().cloned().collect());
        }
        let dir = std::fs::read_dir(self.location.strip_prefix("file://").unwrap_or(&self.location)).ok()?;
        let mut names: Vec<String> = dir
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join(".zarray").exists() || e.path().join("zarr.json").exists())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Some(names)
    }
}

/// Root arrays of a v2 `.zmetadata`: each `name/.zarray` with its `name/.zattrs` as attributes.
fn consolidated_v2(entries: &Map<String, Value>) -> BTreeMap<String, Value> {
    entries
        .iter()
        .filter_map(|(key, meta)| {
            let name = key.strip_suffix("/.zarray").filter(|n| !n.contains('/'))?;
            let mut meta = meta.clone();
            if let (Some(obj), Some(attrs)) = (meta.as_object_mut(), entries.get(&format!("{name}/.zattrs"))) {
                obj.insert("attributes".into(), attrs.clone());
            }
            Some((name.to_string(), meta))
        })
        .collect()
}

/// Dimension names of an array: Zarr v3 `dimension_names`, else xarray's `_ARRAY_DIMENSIONS`.
pub(super) fn dimension_names(array: &ZarrArray) -> Option<Vec<String>> {
    if let Some(names) = array.dimension_names() {
        let names: Option<Vec<String>> = names.iter().cloned().collect();
        if names.is_some() {
            return names;
        }
    }
    array.attributes().get("_ARRAY_DIMENSIONS")?.as_array()?.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

/// A string attribute.
pub(super) fn attr_str(array: &ZarrArray, name: &str) -> Option<String> {
    match array.attributes().get(name)? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A numeric attribute (a number, a list of numbers, or xarray's base64 or "NaN" encodings of
/// a fill value in Zarr v3).
pub(super) fn attr_f64s(array: &ZarrArray, name: &str) -> Vec<f64> {
    let one = |v: &Value| -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => match s.as_str() {
                "NaN" => Some(f64::NAN),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                other => decode_base64_number(other),
            },
            _ => None,
        }
    };
    match array.attributes().get(name) {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// xarray writes `_FillValue` of Zarr v3 arrays as base64 little-endian bytes (8 or 4).
fn decode_base64_number(text: &str) -> Option<f64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    match bytes.len() {
        8 => Some(f64::from_le_bytes(bytes.try_into().ok()?)),
        4 => Some(f32::from_le_bytes(bytes.try_into().ok()?) as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_fill_values_decode() {
        assert!(decode_base64_number("AAAAAAAA+H8=").unwrap().is_nan());
        assert_eq!(
            decode_base64_number(&{
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode((-32767.0f64).to_le_bytes())
            }),
            Some(-32767.0)
        );
        assert_eq!(decode_base64_number("not base64!"), None);
    }

    #[test]
    fn consolidated_v2_attaches_attributes_to_root_arrays() {
        let entries: Map<String, Value> =
            serde_json::from_str(r#"{".zgroup": {"zarr_format": 2}, "msl/.zarray": {"shape": [1]}, "msl/.zattrs": {"units": "Pa"}, "g/x/.zarray": {}}"#)
                .unwrap();
        let all = consolidated_v2(&entries);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["msl"]);
        assert_eq!(all["msl"]["attributes"]["units"], "Pa");
    }
}
