using System.Text.Json.Serialization;
using Archive.Records;
using Archive.Registers;

namespace Archive.Api.Contracts;

/// <summary>Registers a batch of un-arranged records (khối tài liệu chưa chỉnh lý).</summary>
public sealed record RegisterBacklogBatchRequest
{
    /// <summary>Identifier (letters, digits, '.', '-', '_'; at most 64); generated when absent.</summary>
    public string? Id { get; init; }

    /// <summary>The agency holding the batch (registered; the caller's own unless administrator).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? AgencyId { get; init; }

    /// <summary>Where the batch comes from (nguồn): agency or unit, as written.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? SourceAgency { get; init; }

    /// <summary>The fonds, when known (registered, held by the agency).</summary>
    public string? FondsCode { get; init; }

    /// <summary>First year of the records.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public int? FromYear { get; init; }

    /// <summary>Last year of the records.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public int? ToYear { get; init; }

    /// <summary>Shelf metres (mét giá), at least 0.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Boxes (hộp), at least 0.</summary>
    public int Boxes { get; init; }

    /// <summary>Bundles (bó, gói), at least 0.</summary>
    public int Bundles { get; init; }

    /// <summary>Physical condition: Good, Normal (default) or Damaged.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PhysicalCondition>))]
    public PhysicalCondition Condition { get; init; } = PhysicalCondition.Normal;

    /// <summary>Where it is kept: free text or a storage room code.</summary>
    public string? Location { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    internal BacklogBatchInput ToInput() => new()
    {
        Id = Id,
        AgencyId = AgencyId,
        SourceAgency = SourceAgency,
        FondsCode = FondsCode,
        FromYear = FromYear,
        ToYear = ToYear,
        ShelfMetres = ShelfMetres,
        Boxes = Boxes,
        Bundles = Bundles,
        Condition = Condition,
        Location = Location,
        Notes = Notes,
    };
}

/// <summary>A processing step of a batch: its status (only forward) and the shelf metres processed so far.</summary>
public sealed record BacklogStatusRequest
{
    /// <summary>NotProcessed, InProgress or Processed; the same or later than the batch's.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<BacklogStatus>))]
    public BacklogStatus Status { get; init; }

    /// <summary>Shelf metres processed so far (never less than before nor more than the batch); all of it when Processed and absent.</summary>
    public decimal? ProcessedMetres { get; init; }

    /// <summary>Optional note.</summary>
    public string? Note { get; init; }
}

/// <summary>Record files produced from a batch.</summary>
public sealed record LinkBacklogFilesRequest
{
    /// <summary>File codes (at most 1,000): each readable by the caller, of a fonds the batch's agency holds, in no other batch.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public List<string>? FileCodes { get; init; }
}

/// <summary>A processing step.</summary>
public sealed record BacklogStepDto
{
    /// <summary>Status after the step.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<BacklogStatus>))]
    public BacklogStatus Status { get; init; }

    /// <summary>Shelf metres processed so far after the step.</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Who.</summary>
    public required string By { get; init; }

    /// <summary>Note.</summary>
    public string? Note { get; init; }
}

/// <summary>A backlog batch.</summary>
public sealed record BacklogBatchDto
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Version (the ETag).</summary>
    public int Version { get; init; }

    /// <summary>The agency holding it.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Where it comes from.</summary>
    public required string SourceAgency { get; init; }

    /// <summary>The fonds, when known.</summary>
    public string? FondsCode { get; init; }

    /// <summary>First year.</summary>
    public int FromYear { get; init; }

    /// <summary>Last year.</summary>
    public int ToYear { get; init; }

    /// <summary>Shelf metres.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Boxes.</summary>
    public int Boxes { get; init; }

    /// <summary>Bundles.</summary>
    public int Bundles { get; init; }

    /// <summary>Physical condition.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PhysicalCondition>))]
    public PhysicalCondition Condition { get; init; }

    /// <summary>Where it is kept.</summary>
    public string? Location { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>NotProcessed (chưa chỉnh lý), InProgress (đang chỉnh lý) or Processed (đã chỉnh lý).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<BacklogStatus>))]
    public BacklogStatus Status { get; init; }

    /// <summary>Shelf metres processed.</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>Shelf metres left.</summary>
    public decimal RemainingMetres { get; init; }

    /// <summary>When processing started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it was processed.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When registered.</summary>
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Who registered it.</summary>
    public required string RegisteredBy { get; init; }

    /// <summary>Processing steps, oldest first.</summary>
    public List<BacklogStepDto> Steps { get; init; } = [];

    /// <summary>Record files produced from it.</summary>
    public List<string> FileCodes { get; init; } = [];

    internal static BacklogBatchDto From(Versioned<BacklogBatch> v)
    {
        var b = v.Value;
        return new BacklogBatchDto
        {
            Id = b.Id,
            Version = v.Version,
            AgencyId = b.AgencyId,
            SourceAgency = b.SourceAgency,
            FondsCode = b.FondsCode,
            FromYear = b.FromYear,
            ToYear = b.ToYear,
            ShelfMetres = b.ShelfMetres,
            Boxes = b.Boxes,
            Bundles = b.Bundles,
            Condition = b.Condition,
            Location = b.Location,
            Notes = b.Notes,
            Status = b.Status,
            ProcessedMetres = b.ProcessedMetres,
            RemainingMetres = b.RemainingMetres,
            StartedAt = b.StartedAt,
            FinishedAt = b.FinishedAt,
            RegisteredAt = b.RegisteredAt,
            RegisteredBy = b.RegisteredBy,
            Steps = [.. b.Steps.Select(s => new BacklogStepDto { Status = s.Status, ProcessedMetres = s.ProcessedMetres, At = s.At, By = s.By, Note = s.Note })],
            FileCodes = [.. b.FileCodes],
        };
    }
}

/// <summary>One page of the backlog register.</summary>
public sealed record BacklogPageDto
{
    /// <summary>The batches.</summary>
    public List<BacklogBatchDto> Items { get; init; } = [];

    /// <summary>Pass as <c>after</c> for the next page; null on the last page.</summary>
    public string? NextAfter { get; init; }
}
