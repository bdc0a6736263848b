//! The sandbox's well-known credentials. They open the sandbox and nothing else; the sandbox prints
//! them at start and `GET /__sandbox/` returns them.

/// The API key the Zerokie emulation accepts, as `Authorization: Bearer <key>`.
pub const ZEROKIE_API_KEY: &str = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee";

/// Zenifra's organization `org_sandbox`, which owns the `web` and `worker` projects.
pub const ZENIFRA_ORGANIZATION_ID: &str = "org_sandbox";
/// Another organization, with a project of its own that `org_sandbox` keys cannot see.
pub const ZENIFRA_OTHER_ORGANIZATION_ID: &str = "org_other";
/// The `web` project (running, starter plan).
pub const ZENIFRA_WEB_PROJECT_ID: &str = "507f1f77bcf86cd799439011";
/// The `worker` project (stopped, free plan).
pub const ZENIFRA_WORKER_PROJECT_ID: &str = "507f191e810c19729de860ea";
/// The project of `org_other`.
pub const ZENIFRA_OTHER_PROJECT_ID: &str = "5f8d0d55b54764421b7156c9";
/// The organization key of `org_sandbox` with every permission, as `Authorization: Bearer`.
pub const ZENIFRA_ORG_KEY: &str = "znf_sandbox_admin_5eed5eed5eed5eed5eed";
/// An organization key of `org_sandbox` that may only read.
pub const ZENIFRA_READ_ONLY_KEY: &str = "znf_sandbox_read_5eed5eed5eed5eed5eed";
/// An organization key of `org_sandbox` restricted to IPs that are not this machine's
/// (`203.0.113.10`, `2001:db8::10`): every call it makes is refused with 403.
pub const ZENIFRA_ALLOWLISTED_KEY: &str = "znf_sandbox_ipallow_5eed5eed5eed5eed";
/// The project key of `web`, as `x-api-key`: it reaches that project only.
pub const ZENIFRA_PROJECT_KEY: &str = "zpk_sandbox_web_5eed5eed5eed5eed5eed";
/// The project key of `worker`.
pub const ZENIFRA_WORKER_PROJECT_KEY: &str = "zpk_sandbox_worker_5eed5eed5eed5eed";

/// A personal token with `full_access`, as `X-API-Key` or `Authorization: Bearer`.
pub const ZENOVAY_API_KEY: &str = "znv_pt_sandbox_full_7ac0ffee7ac0ffee";
/// A personal token with the `read` scope.
pub const ZENOVAY_READ_TOKEN: &str = "znv_pt_sandbox_read_7ac0ffee7ac0ffee";
/// A personal token with the `write` scope.
pub const ZENOVAY_WRITE_TOKEN: &str = "znv_pt_sandbox_write_7ac0ffee7ac0ffe";
/// A personal token with the `admin` scope.
pub const ZENOVAY_ADMIN_TOKEN: &str = "znv_pt_sandbox_admin_7ac0ffee7ac0ffe";
/// A workspace key with `full_access`.
pub const ZENOVAY_WORKSPACE_KEY: &str = "znv_wk_sandbox_full_7ac0ffee7ac0ffee";
/// A workspace key scoped to the `site_blog` website: it sees that website only.
pub const ZENOVAY_SITE_KEY: &str = "znv_wk_sandbox_blog_7ac0ffee7ac0ffee";

/// Zyra's organization, "Sandbox Labs" (slug `sandbox-labs`, plan `team`, SAML SSO for `zyra.test`).
pub const ZYRA_ORGANIZATION_ID: &str = "org_sandbox";
/// Ada, the organization's `org_admin`.
pub const ZYRA_ADMIN_EMAIL: &str = "ada@zyra.test";
/// Ada's password.
pub const ZYRA_ADMIN_PASSWORD: &str = "sandbox-ada-password";
/// Max, a `member`.
pub const ZYRA_MEMBER_EMAIL: &str = "max@zyra.test";
/// Max's password.
pub const ZYRA_MEMBER_PASSWORD: &str = "sandbox-max-password";
/// Ops, a `member` with 9 active keys: it may create one more before the limit of 10.
pub const ZYRA_OPS_EMAIL: &str = "ops@zyra.test";
/// Ops's password.
pub const ZYRA_OPS_PASSWORD: &str = "sandbox-ops-password";
/// Ada's API key, as `Authorization: Bearer`.
pub const ZYRA_ADMIN_KEY: &str = "zyra_sk_sandboxada0c0ffee0c0ffee0c0ffee0";
/// Max's API key.
pub const ZYRA_MEMBER_KEY: &str = "zyra_sk_sandboxmax0c0ffee0c0ffee0c0ffee0";
/// One of Ops's API keys (the other eight are seeded as `ops-seed-1` … `ops-seed-8`).
pub const ZYRA_OPS_KEY: &str = "zyra_sk_sandboxops0c0ffee0c0ffee0c0ffee0";

/// Every sandbox key, for redaction: none of them is written to the journal in full.
pub(crate) const ALL: &[&str] = &[
    ZEROKIE_API_KEY,
    ZENIFRA_ORG_KEY,
    ZENIFRA_READ_ONLY_KEY,
    ZENIFRA_ALLOWLISTED_KEY,
    ZENIFRA_PROJECT_KEY,
    ZENIFRA_WORKER_PROJECT_KEY,
    ZENOVAY_API_KEY,
    ZENOVAY_READ_TOKEN,
    ZENOVAY_WRITE_TOKEN,
    ZENOVAY_ADMIN_TOKEN,
    ZENOVAY_WORKSPACE_KEY,
    ZENOVAY_SITE_KEY,
    ZYRA_ADMIN_KEY,
    ZYRA_MEMBER_KEY,
    ZYRA_OPS_KEY,
];
