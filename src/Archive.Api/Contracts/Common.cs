using System.Text.Json.Serialization;

namespace Archive.Api.Contracts;

/// <summary>One broken rule in a problem response (<c>errors[]</c>) or a warning on a successful change.</summary>
public sealed record FieldError
{
    /// <summary>The input field concerned, e.g. <c>fileNotation</c>, <c>documents[2].codeNumber</c>, <c>body</c>.</summary>
    /// <example>fileNotation</example>
    public required string Field { get; init; }

    /// <summary>A stable rule identifier a client can switch on, e.g. <c>file-notation.format</c>.</summary>
    /// <example>file-notation.format</example>
    public required string Rule { get; init; }

    /// <summary>What is wrong, for a person.</summary>
    /// <example>The file notation is a sequence number then an abbreviation, dot-separated, without spaces, e.g. 01.TCCB.</example>
    public required string Message { get; init; }

    /// <summary>Named arguments of the message (entity, id, limit, value...) for the message catalogue; not serialised.</summary>
    [JsonIgnore]
    internal IReadOnlyDictionary<string, string?>? Arguments { get; init; }
}

/// <summary>One version in an entity's history (who, when, why).</summary>
public sealed record VersionInfoDto
{
    /// <summary>Version number (1-based); pass it as <c>If-Match: "v{n}"</c> to update the head.</summary>
    /// <example>2</example>
    public int Version { get; init; }

    /// <summary>When the version was committed.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Why (the commit message).</summary>
    /// <example>Add document 1 to 000.00.00.G09.2024.01.TCCB</example>
    public string? Message { get; init; }

    /// <summary>Who made the change (người thực hiện).</summary>
    /// <example>Nguyễn Văn An</example>
    public string? UserName { get; init; }

    /// <summary>Who, unambiguously: the principal id (<c>apikey:&lt;id&gt;</c>, <c>jwt:&lt;issuer&gt;|&lt;sub&gt;</c>) for changes made through the API, else a URI such as <c>mailto:</c>.</summary>
    public string? UserAddress { get; init; }
}

/// <summary>A weeding mark (loại ra khi chỉnh lý): the material is not archival and is listed apart.</summary>
public sealed record NonArchivalMarkDto
{
    /// <summary>Kind of non-archival material (sách, báo, tạp chí, bản thảo, tài liệu tham khảo, khác).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Archive.Records.NonArchivalKind>))]
    public Archive.Records.NonArchivalKind Kind { get; init; }

    /// <summary>Lý do loại ra (why; mandatory).</summary>
    /// <example>Bản sao trùng, bản chính ở hồ sơ 02.TCCB</example>
    public string Reason { get; init; } = string.Empty;

    /// <summary>When it was marked.</summary>
    public DateTimeOffset MarkedAt { get; init; }

    /// <summary>Who marked it.</summary>
    public string? MarkedBy { get; init; }
}
