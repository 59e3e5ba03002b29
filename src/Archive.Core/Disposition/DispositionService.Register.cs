using System.Runtime.CompilerServices;
using Archive.Records;
using Archive.Security;

namespace Archive.Disposition;

/// <summary>What to list of the register of disposition decisions.</summary>
public sealed record DispositionQuery
{
    /// <summary>Only decisions in this state; null for all.</summary>
    public DispositionStatus? Status { get; init; }

    /// <summary>Only the decisions of this agency (whose records they destroy); null for all the caller may see.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Resume after this decision id (the <c>nextAfter</c> of the previous page); null from the start.</summary>
    public string? After { get; init; }
}

public sealed partial class DispositionService
{
    /// <summary>
    /// The register of disposition decisions (sổ quyết định hủy): every decision at its head version, in id order,
    /// filtered by <paramref name="query"/>. With a <paramref name="caller"/> only the decisions of an agency it acts for
    /// are listed (an administrator sees all), the same scope as reading one decision; without one (offline, the
    /// operator) all. The listing names decisions, never the record files they list.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The status is not one of <see cref="DispositionStatus"/>.</exception>
    public IAsyncEnumerable<Versioned<DispositionDecision>> ListAsync(DispositionQuery query, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is { } s && !Enum.IsDefined(s))
        {
            throw new ArchiveValidationException([new ValidationError("status", "disposition.status", "The status is Proposed, Approved, Executing or Executed.")]);
        }

        return ListCoreAsync(query, caller, cancellationToken);
    }

    private async IAsyncEnumerable<Versioned<DispositionDecision>> ListCoreAsync(DispositionQuery query, ArchiveCaller? caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var agency = string.IsNullOrWhiteSpace(query.AgencyId) ? null : query.AgencyId.Trim();
        await foreach (var decision in _store.ListAsync(string.IsNullOrEmpty(query.After) ? null : query.After, cancellationToken).ConfigureAwait(false))
        {
            var d = decision.Value;
            if ((query.Status is { } status && d.Status != status)
                || (agency is not null && !string.Equals(d.AgencyId, agency, StringComparison.Ordinal))
                || (caller is not null && !caller.MayChange(d.AgencyId)))
            {
                continue;
            }

            yield return decision;
        }
    }
}
