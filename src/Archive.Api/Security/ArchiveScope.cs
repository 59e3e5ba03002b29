using Archive.Api.Http;
using Archive.Audit;
using Archive.Records;
using Archive.Search;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Security;

/// <summary>
/// Record-level checks inside the handlers, on top of the endpoint's policy: agency custody (the fonds'
/// <see cref="Fonds.CustodianAgencyId"/>, else its <see cref="Fonds.AgencyId"/>, looked up at request time so it
/// follows reorganisation events), secret clearance, and the researcher rule (accessioned + public only).
/// Out-of-scope or secret record files answer 404 (their existence is not revealed); a visible file the caller may
/// not change answers 403.
/// </summary>
internal static class ArchiveScope
{
    private static readonly object CacheKey = new();

    /// <summary>The agency holding the fonds today, or null when the fonds does not exist.</summary>
    public static async ValueTask<string?> CustodianAsync(HttpContext http, string fondsCode, CancellationToken cancellationToken)
    {
        var cache = Cache(http);
        if (cache.TryGetValue(fondsCode, out var known))
        {
            return known;
        }

        var fonds = await http.RequestServices.GetRequiredService<FondsRegistry>().GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        var custodian = fonds is null ? null : CustodianOf(fonds.Value);
        cache[fondsCode] = custodian;
        return custodian;
    }

    public static string CustodianOf(Fonds fonds) => string.IsNullOrWhiteSpace(fonds.CustodianAgencyId) ? fonds.AgencyId : fonds.CustodianAgencyId;

    /// <summary>Whether the caller may read the record file.</summary>
    public static async ValueTask<bool> CanReadAsync(HttpContext http, RecordFile file, CancellationToken cancellationToken)
    {
        var caller = ArchiveCaller.Of(http);
        if (ArchiveCaller.ReaderMaySee(file))
        {
            return true;
        }

        if (!caller.IsStaff || (file.Rights == AccessLevel.Secret && !caller.HasSecretClearance))
        {
            return false;
        }

        return caller.ReadsAcross || caller.MayRead(file, await CustodianAsync(http, file.FondsCode, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The record file when the caller may read it; 404 otherwise (missing, out of scope, or secret without clearance).</summary>
    public static async ValueTask<Versioned<RecordFile>> VisibleAsync(HttpContext http, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken)
    {
        if (file is not null && await CanReadAsync(http, file.Value, cancellationToken).ConfigureAwait(false))
        {
            return file;
        }

        if (file is not null)
        {
            await ApiAudit.DeniedAsync(http, "record-file", fileCode, "out of scope (answered 404)", cancellationToken).ConfigureAwait(false);
        }

        throw new ArchiveNotFoundException("record-file", fileCode);
    }

    /// <summary>The record file when the caller may change it: 404 when it may not even read it, 403 when it may read but not change it.</summary>
    public static async ValueTask<Versioned<RecordFile>> ChangeableAsync(HttpContext http, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken)
    {
        var visible = await VisibleAsync(http, file, fileCode, cancellationToken).ConfigureAwait(false);
        await RequireChangeAsync(http, visible.Value.FondsCode, "record-file", fileCode, cancellationToken).ConfigureAwait(false);
        return visible;
    }

    /// <summary>403 unless the caller may change records of the fonds (custodian among its agencies, or administrator). A missing fonds passes (the engine answers it).</summary>
    public static async ValueTask RequireChangeAsync(HttpContext http, string fondsCode, string objectType, string objectId, CancellationToken cancellationToken)
    {
        var caller = ArchiveCaller.Of(http);
        if (caller.WritesAcross)
        {
            return;
        }

        var custodian = await CustodianAsync(http, fondsCode, cancellationToken).ConfigureAwait(false);
        if (custodian is null || caller.MayChange(custodian))
        {
            return;
        }

        await ApiAudit.DeniedAsync(http, objectType, objectId, "agency scope", cancellationToken).ConfigureAwait(false);
        throw Forbidden("fondsCode", $"The fonds '{fondsCode}' is in the custody of another agency.");
    }

    /// <summary>403 unless the caller belongs to <paramref name="agencyId"/> (or is an administrator).</summary>
    public static async ValueTask RequireAgencyAsync(HttpContext http, string agencyId, string objectType, CancellationToken cancellationToken)
    {
        var caller = ArchiveCaller.Of(http);
        if (caller.MayChange(agencyId))
        {
            return;
        }

        await ApiAudit.DeniedAsync(http, objectType, agencyId, "agency scope", cancellationToken).ConfigureAwait(false);
        throw Forbidden("agencyId", $"Only a user of agency '{agencyId}' or an administrator may do this.");
    }

    /// <summary>403 unless the caller is an administrator.</summary>
    public static async ValueTask RequireAdministratorAsync(HttpContext http, string objectType, string? objectId, CancellationToken cancellationToken)
    {
        if (ArchiveCaller.Of(http).WritesAcross)
        {
            return;
        }

        await ApiAudit.DeniedAsync(http, objectType, objectId, "administrator only", cancellationToken).ConfigureAwait(false);
        throw Forbidden(objectType, "Only an administrator may do this.");
    }

    /// <summary>
    /// Filters that restrict a search to what the caller may see, so hits, totals, facets and highlights are all
    /// computed on the allowed set: secret excluded without clearance; fonds in the caller's custody for agency
    /// staff; accessioned + public for researchers and anonymous readers. (Agency staff read accessioned public
    /// files of other agencies directly, but their searches stay within their own custody.)
    /// </summary>
    public static async ValueTask<IReadOnlyList<SearchFilter>> SearchFiltersAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var caller = ArchiveCaller.Of(http);
        var filters = new List<SearchFilter>();
        if (!caller.IsStaff)
        {
            filters.Add(new TermsFilter(SearchFields.Status, ["accessioned"]));
            filters.Add(new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Public)]));
            return filters;
        }

        if (!caller.HasSecretClearance)
        {
            filters.Add(new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Secret)], Exclude: true));
        }

        if (!caller.ReadsAcross)
        {
            var all = await http.RequestServices.GetRequiredService<FondsRegistry>().ListAsync(cancellationToken).ConfigureAwait(false);
            var mine = all.Where(f => caller.Agencies.Contains(CustodianOf(f.Value))).Select(f => f.Value.Code).ToList();

            // No fonds in custody: a value no fonds code can have, so nothing matches (and nothing is counted).
            filters.Add(new TermsFilter(SearchFields.Fonds, mine.Count == 0 ? ["\u0001none"] : mine));
        }

        return filters;
    }

    public static ApiRequestException Forbidden(string field, string message) => new(StatusCodes.Status403Forbidden, field, "scope.agency", message);

    private static Dictionary<string, string?> Cache(HttpContext http)
    {
        if (http.Items.TryGetValue(CacheKey, out var value) && value is Dictionary<string, string?> cache)
        {
            return cache;
        }

        var created = new Dictionary<string, string?>(StringComparer.Ordinal);
        http.Items[CacheKey] = created;
        return created;
    }
}
