//! What the Hello says about this host: host id, build and OS info, every field non-empty
//! (docs/service-mode.md, "Lifecycle").

use crate::config::ServiceConfig;
use crate::proto::baton::{BuildInfo, OsInfo};

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The OS host name, when it can be found.
fn hostname() -> Option<String> {
    read_trimmed("/proc/sys/kernel/hostname")
        .or_else(|| read_trimmed("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok().filter(|s| !s.is_empty()))
}

/// `BATON_HOST_ID`, else the host name, else `baton-sdk` (baton-sdk's order).
pub(crate) fn host_id(config: &ServiceConfig) -> String {
    config
        .host_id
        .clone()
        .or_else(hostname)
        .map(|h| h.chars().take(256).collect())
        .unwrap_or_else(|| "baton-sdk".to_string())
}

/// `/etc/os-release` value of `key`, unquoted.
fn os_release(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key)
            .then(|| v.trim().trim_matches('"').trim_matches('\'').to_string())
            .filter(|v| !v.is_empty())
    })
}

/// OS info with baton-sdk's fallbacks so that no field is empty.
pub(crate) fn os_info() -> OsInfo {
    let os = match std::env::consts::OS {
        "macos" => "darwin".to_string(),
        other => other.to_string(),
    };
    let release = read_trimmed("/etc/os-release").unwrap_or_default();
    let kernel_version =
        read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".to_string());
    let platform = os_release(&release, "ID").unwrap_or_else(|| os.clone());
    let platform_family = os_release(&release, "ID_LIKE")
        .and_then(|f| f.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| platform.clone());
    let platform_version =
        os_release(&release, "VERSION_ID").unwrap_or_else(|| kernel_version.clone());
    let virtualization_system = if std::path::Path::new("/.dockerenv").exists() {
        "docker"
    } else {
        "none"
    };
    OsInfo {
        hostname: hostname().unwrap_or_else(|| "unknown".to_string()),
        os,
        platform,
        platform_version,
        platform_family,
        kernel_version,
        kernel_arch: std::env::consts::ARCH.to_string(),
        virtualization_system: virtualization_system.to_string(),
    }
}

/// Build info with baton-sdk's fallbacks for empty values.
pub(crate) fn build_info(config: &ServiceConfig) -> BuildInfo {
    let or = |v: &str, d: &str| {
        if v.is_empty() {
            d.to_string()
        } else {
            v.to_string()
        }
    };
    BuildInfo {
        lang_version: or(&config.build_info.lang_version, "0.0.0"),
        package: or(&config.build_info.package, "/dummy/path"),
        package_version: or(&config.build_info.package_version, "0.0.0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_parsing() {
        let text = "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n";
        assert_eq!(os_release(text, "ID").as_deref(), Some("ubuntu"));
        assert_eq!(os_release(text, "ID_LIKE").as_deref(), Some("debian"));
        assert_eq!(os_release(text, "VERSION_ID").as_deref(), Some("22.04"));
        assert_eq!(os_release(text, "MISSING"), None);
    }

    #[test]
    fn os_info_has_no_empty_field() {
        let info = os_info();
        for (name, value) in [
            ("hostname", &info.hostname),
            ("os", &info.os),
            ("platform", &info.platform),
            ("platform_version", &info.platform_version),
            ("platform_family", &info.platform_family),
            ("kernel_version", &info.kernel_version),
            ("kernel_arch", &info.kernel_arch),
            ("virtualization_system", &info.virtualization_system),
        ] {
            assert!(!value.is_empty(), "{name} is empty");
        }
    }
}
