using Archive.Registers;

namespace Archive.Api.Contracts;

/// <summary>Counts of record files (never negative).</summary>
public sealed record StatisticsCountsDto
{
    /// <summary>Record files.</summary>
    public long Files { get; init; }

    /// <summary>Documents not weeded out.</summary>
    public long Documents { get; init; }

    /// <summary>Pages.</summary>
    public long Pages { get; init; }

    /// <summary>Bytes of content files.</summary>
    public long Bytes { get; init; }

    /// <summary>Distinct boxes (room and box number).</summary>
    public long Boxes { get; init; }

    /// <summary>Shelf metres (boxes × box width).</summary>
    public decimal ShelfMetres { get; init; }

    internal static StatisticsCountsDto From(StatisticsCounts c) => new() { Files = c.Files, Documents = c.Documents, Pages = c.Pages, Bytes = c.Bytes, Boxes = c.Boxes, ShelfMetres = c.ShelfMetres };
}

/// <summary>One line of a breakdown.</summary>
public sealed record StatisticsRowDto
{
    /// <summary>Stable key (agency id, fonds code, year, or a name such as Permanent).</summary>
    public required string Key { get; init; }

    /// <summary>Vietnamese label.</summary>
    public required string Label { get; init; }

    /// <summary>The counts.</summary>
    public required StatisticsCountsDto Counts { get; init; }

    internal static List<StatisticsRowDto> From(IReadOnlyList<StatisticsRow> rows) => [.. rows.Select(r => new StatisticsRowDto { Key = r.Key, Label = r.Label, Counts = StatisticsCountsDto.From(r.Counts) })];
}

/// <summary>One line of the backlog's breakdown.</summary>
public sealed record BacklogStatisticsRowDto
{
    /// <summary>Status name, or the location as written (empty when none).</summary>
    public required string Key { get; init; }

    /// <summary>Vietnamese label.</summary>
    public required string Label { get; init; }

    /// <summary>Batches.</summary>
    public int Batches { get; init; }

    /// <summary>Shelf metres.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Shelf metres processed.</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>Shelf metres left.</summary>
    public decimal RemainingMetres { get; init; }

    /// <summary>Boxes.</summary>
    public long Boxes { get; init; }

    /// <summary>Bundles.</summary>
    public long Bundles { get; init; }

    /// <summary>Record files produced.</summary>
    public long Files { get; init; }

    internal static List<BacklogStatisticsRowDto> From(IReadOnlyList<BacklogStatisticsRow> rows) => [.. rows.Select(r => new BacklogStatisticsRowDto
    {
        Key = r.Key, Label = r.Label, Batches = r.Batches, ShelfMetres = r.ShelfMetres, ProcessedMetres = r.ProcessedMetres,
        RemainingMetres = r.RemainingMetres, Boxes = r.Boxes, Bundles = r.Bundles, Files = r.Files,
    })];
}

/// <summary>The backlog: how much, how much is left, where, how fast.</summary>
public sealed record BacklogStatisticsDto
{
    /// <summary>Batches.</summary>
    public int Batches { get; init; }

    /// <summary>Shelf metres registered.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Shelf metres processed.</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>Shelf metres left.</summary>
    public decimal RemainingMetres { get; init; }

    /// <summary>Boxes.</summary>
    public long Boxes { get; init; }

    /// <summary>Bundles.</summary>
    public long Bundles { get; init; }

    /// <summary>Record files produced from the batches.</summary>
    public long FilesProduced { get; init; }

    /// <summary>When the first batch was started.</summary>
    public DateTimeOffset? FirstStartedAt { get; init; }

    /// <summary>Metres processed per month since then (null: none started).</summary>
    public decimal? MetresPerMonth { get; init; }

    /// <summary>By status.</summary>
    public List<BacklogStatisticsRowDto> ByStatus { get; init; } = [];

    /// <summary>By location (what is left).</summary>
    public List<BacklogStatisticsRowDto> ByLocation { get; init; } = [];
}

/// <summary>Statistics of the record files the caller may read, with breakdowns, destroyed files and the backlog.</summary>
public sealed record StatisticsDto
{
    /// <summary>Agency filter applied.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Fonds filter applied.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Year filter applied.</summary>
    public int? Year { get; init; }

    /// <summary>Start of the period applied.</summary>
    public DateOnly? From { get; init; }

    /// <summary>End of the period applied.</summary>
    public DateOnly? To { get; init; }

    /// <summary>When counted.</summary>
    public DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Box width used for shelf metres.</summary>
    public decimal BoxWidthMetres { get; init; }

    /// <summary>All counted record files.</summary>
    public required StatisticsCountsDto Totals { get; init; }

    /// <summary>By holding agency.</summary>
    public List<StatisticsRowDto> ByAgency { get; init; } = [];

    /// <summary>By fonds.</summary>
    public List<StatisticsRowDto> ByFonds { get; init; } = [];

    /// <summary>By year formed.</summary>
    public List<StatisticsRowDto> ByYear { get; init; } = [];

    /// <summary>By retention: Permanent, FixedTerm, UntilSuperseded.</summary>
    public List<StatisticsRowDto> ByRetention { get; init; } = [];

    /// <summary>By status: Finished, Unfinished.</summary>
    public List<StatisticsRowDto> ByStatus { get; init; } = [];

    /// <summary>By access level.</summary>
    public List<StatisticsRowDto> ByAccess { get; init; } = [];

    /// <summary>By medium: Paper, PaperAndDigitised, Digitised, BornDigital, NotStated.</summary>
    public List<StatisticsRowDto> ByMedium { get; init; } = [];

    /// <summary>By custody: Held, Transferred, Accessioned.</summary>
    public List<StatisticsRowDto> ByCustody { get; init; } = [];

    /// <summary>Record files destroyed (not in the totals).</summary>
    public required StatisticsCountsDto Destroyed { get; init; }

    /// <summary>The backlog.</summary>
    public required BacklogStatisticsDto Backlog { get; init; }

    internal static StatisticsDto Of(RecordStatistics s) => new()
    {
        AgencyId = s.Request.AgencyId,
        FondsCode = s.Request.FondsCode,
        Year = s.Request.Year,
        From = s.Request.From,
        To = s.Request.To,
        GeneratedAt = s.GeneratedAt,
        BoxWidthMetres = s.BoxWidthMetres,
        Totals = StatisticsCountsDto.From(s.Totals),
        ByAgency = StatisticsRowDto.From(s.ByAgency),
        ByFonds = StatisticsRowDto.From(s.ByFonds),
        ByYear = StatisticsRowDto.From(s.ByYear),
        ByRetention = StatisticsRowDto.From(s.ByRetention),
        ByStatus = StatisticsRowDto.From(s.ByStatus),
        ByAccess = StatisticsRowDto.From(s.ByAccess),
        ByMedium = StatisticsRowDto.From(s.ByMedium),
        ByCustody = StatisticsRowDto.From(s.ByCustody),
        Destroyed = StatisticsCountsDto.From(s.Destroyed),
        Backlog = new BacklogStatisticsDto
        {
            Batches = s.Backlog.Batches,
            ShelfMetres = s.Backlog.ShelfMetres,
            ProcessedMetres = s.Backlog.ProcessedMetres,
            RemainingMetres = s.Backlog.RemainingMetres,
            Boxes = s.Backlog.Boxes,
            Bundles = s.Backlog.Bundles,
            FilesProduced = s.Backlog.FilesProduced,
            FirstStartedAt = s.Backlog.FirstStartedAt,
            MetresPerMonth = s.Backlog.MetresPerMonth,
            ByStatus = BacklogStatisticsRowDto.From(s.Backlog.ByStatus),
            ByLocation = BacklogStatisticsRowDto.From(s.Backlog.ByLocation),
        },
    };
}
