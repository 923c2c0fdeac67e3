//! One implementation for the elementwise functions over Float64 degrees: each function's
//! file gives its name, arity, kernel and documentation.

use super::args::as_f64;
use arrow::array::{Array, ArrayRef, Float64Array};
use arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// An elementwise function of `arity` Float64 arguments; NULL in any argument gives NULL.
pub struct ElementwiseUdf {
    name: &'static str,
    kernel: fn(&[f64]) -> f64,
    doc: fn() -> &'static Documentation,
    signature: Signature,
}

impl ElementwiseUdf {
    pub fn new(name: &'static str, arity: usize, kernel: fn(&[f64]) -> f64, doc: fn() -> &'static Documentation) -> ScalarUDF {
        let signature = Signature::uniform(arity, vec![DataType::Float64], Volatility::Immutable);
        ScalarUDF::new_from_impl(ElementwiseUdf { name, kernel, doc, signature })
    }
}

impl std::fmt::Debug for ElementwiseUdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElementwiseUdf").field("name", &self.name).finish()
    }
}

impl PartialEq for ElementwiseUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for ElementwiseUdf {}
impl Hash for ElementwiseUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

impl ScalarUDFImpl for ElementwiseUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let cols = arrays.iter().map(|a| as_f64(self.name, a)).collect::<Result<Vec<_>>>()?;
        let n = args.number_rows;
        let mut buf = vec![0.0; cols.len()];
        let out: Float64Array = (0..n)
            .map(|i| {
                for (k, c) in cols.iter().enumerate() {
                    if c.is_null(i) {
                        return None;
                    }
                    buf[k] = c.value(i);
                }
                Some((self.kernel)(&buf))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some((self.doc)())
    }
}
