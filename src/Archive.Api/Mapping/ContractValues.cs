namespace Archive.Api.Mapping;

/// <summary>
/// One spelling per value in the REST contract (#22 item 9.3), mapped at the API boundary so that stored packages and
/// index fields keep their values: languages are ISO 639 codes (<c>vi</c>, as fonds already are), record-file statuses
/// are the enum names the JSON converter writes (<c>Finished</c>, <c>Unfinished</c>, and <c>Accessioned</c> for an
/// accessioned file) in record files, lists, search hits, filters and facets. Old spellings are read too.
/// </summary>
internal static class ContractValues
{
    /// <summary>The stored spelling of Vietnamese in record files and documents (Decree 30 wording).</summary>
    public const string StoredVietnamese = "Tiếng Việt";

    /// <summary>The contract's code of a stored language: <c>Tiếng Việt</c> (any case) → <c>vi</c>; anything else as stored.</summary>
    public static string? LanguageToContract(string? stored)
        => stored is not null && IsVietnamese(stored) ? "vi" : stored;

    /// <summary>The stored spelling of a language the client sent: <c>vi</c>, <c>vi-VN</c> or <c>Tiếng Việt</c> → <c>Tiếng Việt</c>.</summary>
    public static string? LanguageToStored(string? sent)
        => sent is not null && IsVietnamese(sent) ? StoredVietnamese : sent;

    private static bool IsVietnamese(string value)
    {
        var v = value.Trim();
        return v.Equals("vi", StringComparison.OrdinalIgnoreCase) || v.Equals("vi-VN", StringComparison.OrdinalIgnoreCase)
            || string.Equals(v.Normalize(System.Text.NormalizationForm.FormC), StoredVietnamese, StringComparison.OrdinalIgnoreCase)
            || v.Equals("Tieng Viet", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The contract's spelling of an indexed status (<c>finished</c> → <c>Finished</c>); others as indexed.</summary>
    public static string? StatusToContract(string? indexed) => indexed switch
    {
        "finished" => "Finished",
        "unfinished" => "Unfinished",
        "accessioned" => "Accessioned",
        _ => indexed,
    };

    /// <summary>The indexed status of a value the client sent in either spelling, or null when it is none.</summary>
    public static string? StatusToIndexed(string? sent)
        => sent?.Trim().ToLowerInvariant() is "finished" or "unfinished" or "accessioned" ? sent.Trim().ToLowerInvariant() : null;
}
