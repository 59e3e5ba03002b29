using System.Security.Claims;
using Archive.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// What the caller of one request is: roles, agencies, clearance, and what that means for scope. Built once per
/// request from the principal (claims <see cref="ArchiveClaims"/>), cached in <see cref="HttpContext.Items"/>.
/// </summary>
internal sealed class ArchiveCaller
{
    private static readonly object ItemKey = new();

    private static readonly string[] StaffRoles = [ArchiveRoles.Clerk, ArchiveRoles.Archivist, ArchiveRoles.AgencyHead, ArchiveRoles.Supervisor, ArchiveRoles.HistoricalArchives, ArchiveRoles.Administrator];

    private static readonly string[] AcrossRoles = [ArchiveRoles.Supervisor, ArchiveRoles.HistoricalArchives, ArchiveRoles.Administrator];

    private ArchiveCaller(bool authenticated, HashSet<string> roles, HashSet<string> agencies, bool clearance)
    {
        IsAuthenticated = authenticated;
        Roles = roles;
        Agencies = agencies;
        HasSecretClearance = clearance;
    }

    public bool IsAuthenticated { get; }

    public IReadOnlySet<string> Roles { get; }

    public IReadOnlySet<string> Agencies { get; }

    public bool HasSecretClearance { get; }

    /// <summary>Staff (any role but researcher): sees the records in its scope.</summary>
    public bool IsStaff => StaffRoles.Any(Roles.Contains);

    /// <summary>Supervisor, Historical Archives staff, administrator: read every agency's records.</summary>
    public bool ReadsAcross => AcrossRoles.Any(Roles.Contains);

    /// <summary>Administrator: changes every agency's records.</summary>
    public bool WritesAcross => Roles.Contains(ArchiveRoles.Administrator);

    /// <summary>The caller's first agency (for audit), or null.</summary>
    public string? PrimaryAgency => Agencies.Count == 0 ? null : Agencies.Order(StringComparer.Ordinal).First();

    public static ArchiveCaller Of(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var cached) && cached is ArchiveCaller caller)
        {
            return caller;
        }

        var options = http.RequestServices.GetService<IOptions<ArchiveApiOptions>>()?.Value ?? new ArchiveApiOptions();
        caller = FromPrincipal(http.User, options.CanAccessSecret(http));
        http.Items[ItemKey] = caller;
        return caller;
    }

    public static ArchiveCaller FromPrincipal(ClaimsPrincipal? principal, bool clearance)
    {
        var authenticated = principal?.Identities.Any(i => i.IsAuthenticated) == true;
        var roles = new HashSet<string>(StringComparer.Ordinal);
        var agencies = new HashSet<string>(StringComparer.Ordinal);
        if (authenticated)
        {
            foreach (var claim in principal!.Claims)
            {
                if (claim.Type is ArchiveClaims.Role or ClaimTypes.Role or "roles")
                {
                    foreach (var r in Split(claim.Value))
                    {
                        roles.Add(r.ToLowerInvariant());
                    }
                }
                else if (claim.Type == ArchiveClaims.Agency)
                {
                    foreach (var a in Split(claim.Value))
                    {
                        agencies.Add(a);
                    }
                }
            }
        }

        return new ArchiveCaller(authenticated, roles, agencies, authenticated && clearance);
    }

    /// <summary>Whether the principal carries the secret clearance claim (the default of <see cref="ArchiveApiOptions.CanAccessSecret"/>).</summary>
    public static bool HasClearanceClaim(ClaimsPrincipal? principal)
        => principal?.Identities.Any(i => i.IsAuthenticated) == true
           && principal.FindAll(ArchiveClaims.Clearance).Any(c => Split(c.Value).Any(v => string.Equals(v, ArchiveClaims.SecretClearance, StringComparison.OrdinalIgnoreCase)));

    /// <summary>What a researcher (or an anonymous reader) may see: accessioned and public.</summary>
    public static bool ReaderMaySee(RecordFile file) => file.AccessionedAt is not null && file.Rights == AccessLevel.Public;

    /// <summary>Whether the caller may read <paramref name="file"/>, held by <paramref name="custodian"/>.</summary>
    public bool MayRead(RecordFile file, string? custodian)
    {
        if (ReaderMaySee(file))
        {
            return true;
        }

        if (!IsStaff || (file.Rights == AccessLevel.Secret && !HasSecretClearance))
        {
            return false;
        }

        return ReadsAcross || (custodian is not null && Agencies.Contains(custodian));
    }

    /// <summary>Whether the caller may change record files held by <paramref name="custodian"/> (role checked by the policy).</summary>
    public bool MayChange(string? custodian) => WritesAcross || (custodian is not null && Agencies.Contains(custodian));

    private static IEnumerable<string> Split(string value)
        => value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
