//! One allocator setting, made before anything else runs: with glibc,
//! allocations of 128 KiB and more always get their own mapping, returned to
//! the system when freed. Without it glibc raises that threshold after the
//! first large free, and each of argon2's 19 MiB password-hash buffers (and
//! each large response body) then comes from a heap arena that is not given
//! back: a burst of logins took the server from 45 MB to 360 MB and kept it
//! there. Measured by `tests/accounts.rs` (400 concurrent wrong logins).

/// Fixes glibc's mmap threshold at 128 KiB (its initial value).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters and takes glibc's
    // own locks; it is called once, at start-up.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
