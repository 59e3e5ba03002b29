using System.Text.Json.Serialization;
using Archive.Disposition;

namespace Archive.Api.Contracts;

/// <summary>One decision of the register of disposition decisions (the files it lists are read with <c>GET /dispositions/{id}</c>).</summary>
public sealed record DispositionSummaryDto
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Version (the ETag of the decision).</summary>
    public int Version { get; init; }

    /// <summary>Số quyết định.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Ngày quyết định.</summary>
    public DateOnly DecisionDate { get; init; }

    /// <summary>The agency whose records it destroys.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Proposed, Approved, Executing or Executed.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DispositionStatus>))]
    public DispositionStatus Status { get; init; }

    /// <summary>Record files listed.</summary>
    public int Files { get; init; }

    /// <summary>Record files destroyed (once executed).</summary>
    public int Destroyed { get; init; }

    /// <summary>Record files refused or failed at execution.</summary>
    public int NotDestroyed { get; init; }

    /// <summary>Proposed by.</summary>
    public required string ProposedBy { get; init; }

    /// <summary>Proposed at.</summary>
    public DateTimeOffset ProposedAt { get; init; }

    /// <summary>Approved by.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>Approved at.</summary>
    public DateTimeOffset? ApprovedAt { get; init; }

    /// <summary>Executed by.</summary>
    public string? ExecutedBy { get; init; }

    /// <summary>Execution started at.</summary>
    public DateTimeOffset? ExecutedAt { get; init; }

    internal static DispositionSummaryDto From(Records.Versioned<DispositionDecision> v)
    {
        var d = v.Value;
        return new DispositionSummaryDto
        {
            Id = d.Id,
            Version = v.Version,
            DecisionNumber = d.DecisionNumber,
            DecisionDate = d.DecisionDate,
            AgencyId = d.AgencyId,
            Status = d.Status,
            Files = d.FileCodes.Count,
            Destroyed = d.Results.Count(r => r.Outcome == DispositionFileOutcome.Destroyed),
            NotDestroyed = d.Results.Count(r => r.Outcome is DispositionFileOutcome.Refused or DispositionFileOutcome.Failed),
            ProposedBy = d.ProposedBy,
            ProposedAt = d.ProposedAt,
            ApprovedBy = d.ApprovedBy,
            ApprovedAt = d.ApprovedAt,
            ExecutedBy = d.ExecutedBy,
            ExecutedAt = d.ExecutedAt,
        };
    }
}

/// <summary>One page of the register of disposition decisions.</summary>
public sealed record DispositionPageDto
{
    /// <summary>The decisions of this page (storage order: stable, not sorted).</summary>
    public IReadOnlyList<DispositionSummaryDto> Items { get; init; } = [];

    /// <summary>Pass as <c>after</c> to get the next page; null on the last page.</summary>
    public string? NextAfter { get; init; }
}
