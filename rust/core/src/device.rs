//! Where a tensor's bytes live.
//!
//! Layouts and views never depend on the device: a view of a meta or GPU tensor is computed by
//! the same `Layout` code as a view of a CPU tensor. What depends on it is who owns the bytes
//! ([`crate::storage::Storage`]) and which implementation runs an op: the CPU kernels in
//! `ops/`, none at all for `Meta` (an op only computes its output's shape, dtype and strides), or
//! a backend outside this crate for `Wgpu` (its buffers are opaque handles here).
//!
//! `Device::common`, torch's same-device check of an op's operands, is implemented next to
//! `Tensor` (tensor.rs), so this module stays below it.

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    /// Host memory; the kernels of this crate.
    Cpu,
    /// No data at all: shape, dtype and strides only (torch's `meta` device).
    Meta,
    /// A GPU reached through wgpu, by adapter index; its buffers belong to that backend.
    Wgpu(u32),
}

impl Device {
    /// torch's device type name ("cpu", "meta", "wgpu").
    pub fn type_name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Meta => "meta",
            Device::Wgpu(_) => "wgpu",
        }
    }

    /// The index torch prints (`wgpu:0`); None for devices without one.
    pub fn index(self) -> Option<u32> {
        match self {
            Device::Wgpu(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the bytes are host memory the CPU kernels can read.
    pub fn is_host(self) -> bool {
        self == Device::Cpu
    }

    /// Parse torch's device strings: "cpu", "meta", "wgpu", "wgpu:1" (a "cpu:0" index is
    /// accepted and dropped, as torch treats cpu:0 as cpu).
    pub fn parse(s: &str) -> Result<Device> {
        let (kind, index) = match s.split_once(':') {
            Some((k, i)) => {
                let i: u32 = i.parse().map_err(|_| Error::runtime(format!("Invalid device string: '{s}'")))?;
                (k, Some(i))
            }
            None => (s, None),
        };
        match kind {
            "cpu" => Ok(Device::Cpu),
            "meta" => Ok(Device::Meta),
            "wgpu" => Ok(Device::Wgpu(index.unwrap_or(0))),
            _ => Err(Error::runtime(format!(
                "Expected one of cpu, meta, wgpu, cuda device type at start of device string: {kind}"
            ))),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index() {
            Some(i) => write!(f, "{}:{i}", self.type_name()),
            None => f.write_str(self.type_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for (s, d, shown) in [("cpu", Device::Cpu, "cpu"), ("cpu:0", Device::Cpu, "cpu"), ("meta", Device::Meta, "meta"), ("wgpu", Device::Wgpu(0), "wgpu:0"), ("wgpu:2", Device::Wgpu(2), "wgpu:2")] {
            assert_eq!(Device::parse(s).unwrap(), d);
            assert_eq!(d.to_string(), shown);
        }
        assert!(Device::parse("tpu").is_err());
        assert!(Device::parse("wgpu:x").is_err());
    }
}
