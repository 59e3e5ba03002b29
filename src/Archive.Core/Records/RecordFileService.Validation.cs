using Archive.Retention;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    private static RecordFile Build(RecordFileInput input, Fonds fonds, RetentionSchedule schedule, RecordFile? current, List<ValidationError> errors, List<RecordWarning> warnings)
    {
        var organId = string.IsNullOrWhiteSpace(input.OrganId) ? fonds.AgencyId : input.OrganId.Trim();
        var notation = input.FileNotation?.Trim() ?? string.Empty;
        RetentionScheduleItem? item = null;
        var itemCode = Clean(input.ScheduleItemCode);
        if (itemCode is not null)
        {
            item = schedule.Find(itemCode);
            if (item is null)
            {
                errors.Add(new("scheduleItemCode", "schedule-item.not-found", $"Item '{itemCode}' is not in the retention schedule of agency '{fonds.AgencyId}'."));
            }
        }

        var maintenance = input.Maintenance ?? item?.Retention;
        if (maintenance is null && item is null && itemCode is null)
        {
            errors.Add(new("maintenance", "maintenance.required", "Give the retention (maintenance) or classify the file to a retention schedule item."));
        }
        else if (input.Maintenance is { } m && item is not null && m != item.Retention)
        {
            warnings.Add(new("maintenance", "maintenance.differs-from-schedule", $"The retention {m.ToVietnamese()} differs from schedule item '{item.Code}' ({item.Retention.ToVietnamese()})."));
        }

        var keywords = input.Keywords?.Select(k => Clean(k) ?? string.Empty).Distinct(StringComparer.Ordinal).ToList() ?? [];
        return new RecordFile
        {
            FileCode = RecordFile.ComposeFileCode(organId, input.FileCatalog, notation),
            OrganId = organId,
            FileCatalog = input.FileCatalog,
            FileNotation = notation,
            FondsCode = fonds.Code,
            Title = Clean(input.Title) ?? string.Empty,
            Maintenance = maintenance ?? default,
            ScheduleItemCode = itemCode,
            Rights = input.Rights,
            Creator = Clean(input.Creator),
            Language = Clean(input.Language) ?? "Tiếng Việt",
            StartDate = input.StartDate,
            EndDate = input.EndDate,
            Description = Clean(input.Description),
            InforSign = Clean(input.InforSign),
            Keywords = keywords,
            SheetNumber = input.SheetNumber,
            Format = input.Format,
            ConfidenceLevel = input.ConfidenceLevel,
            PaperFileCode = Clean(input.PaperFileCode),
            Status = input.Status,
            UnfinishedNote = Clean(input.UnfinishedNote),
            Documents = current?.Documents ?? [],
        };
    }

    private static Document BuildDocument(DocumentInput input, int ordinal, Document? existing) => new()
    {
        DocOrdinal = ordinal,
        TypeName = Clean(input.TypeName),
        CodeNumber = Clean(input.CodeNumber),
        CodeNotation = Clean(input.CodeNotation),
        IssuedDate = input.IssuedDate,
        OrganName = Clean(input.OrganName),
        Subject = Clean(input.Subject),
        Language = Clean(input.Language) ?? "Tiếng Việt",
        PageAmount = input.PageAmount ?? existing?.PageAmount ?? 0,
        Description = Clean(input.Description),
        SignerInfo = input.SignerInfo is null ? null : new Signer(Clean(input.SignerInfo.Position), Clean(input.SignerInfo.FullName)),
        ConfidenceLevel = input.ConfidenceLevel,
        Contents = existing?.Contents ?? [],
        NonArchival = existing?.NonArchival,
    };

    /// <summary>How far ahead of this host's clock a date of a past event may be (time zones and clock skew): one day.</summary>
    internal static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    /// <summary>Every rule on a complete record file: Decree 30 rules plus the engine's cross-entity rules.</summary>
    private void Validate(RecordFile file, Fonds fonds, RetentionSchedule schedule, List<ValidationError> errors)
    {
        errors.AddRange(RecordRules.ValidateRecordFile(file));

        // Dates of past events: a record file's start and end dates and its documents' issue dates cannot lie in the
        // future (a day of tolerance for time zones and clocks); the year the file was formed may be next year, since
        // the agency's file list (danh mục hồ sơ) for a year is prepared before it starts.
        var latest = DateOnly.FromDateTime((_time.GetUtcNow() + FutureTolerance).UtcDateTime);
        if (file.FileCatalog > latest.Year + 1 && file.FileCatalog <= 2999)
        {
            errors.Add(new("fileCatalog", "date.future", $"The year the file was formed ({file.FileCatalog}) is after next year ({latest.Year + 1})."));
        }

        if (file.StartDate is { } start && start > latest)
        {
            errors.Add(new("startDate", "date.future", $"The start date {start:yyyy-MM-dd} is in the future."));
        }

        if (file.EndDate is { } end && end > latest)
        {
            errors.Add(new("endDate", "date.future", $"The end date {end:yyyy-MM-dd} is in the future."));
        }

        if (!string.Equals(file.OrganId, fonds.AgencyId, StringComparison.Ordinal))
        {
            errors.Add(new("organId", "organ-id.fonds-agency", $"OrganId must be the fonds' creating agency '{fonds.AgencyId}', not '{file.OrganId}'."));
        }

        if (file.ScheduleItemCode is { } code && schedule.Find(code) is null && !errors.Any(e => e.Field == "scheduleItemCode"))
        {
            errors.Add(new("scheduleItemCode", "schedule-item.not-found", $"Item '{code}' is not in the retention schedule of agency '{fonds.AgencyId}'."));
        }

        if (!Enum.IsDefined(file.Rights))
        {
            errors.Add(new("rights", "enum", $"'{file.Rights}' is not an access level: one of {string.Join(", ", Enum.GetNames<AccessLevel>())}."));
        }

        if (!Enum.IsDefined(file.Status))
        {
            errors.Add(new("status", "enum", $"'{file.Status}' is not a record file status: one of {string.Join(", ", Enum.GetNames<RecordFileStatus>())}."));
        }

        if (file.Format is { } fmt && !Enum.IsDefined(fmt))
        {
            errors.Add(new("format", "enum", $"'{fmt}' is not a physical condition: one of {string.Join(", ", Enum.GetNames(fmt.GetType()))}."));
        }

        if (file.ConfidenceLevel is { } cl && !Enum.IsDefined(cl))
        {
            errors.Add(new("confidenceLevel", "enum", $"'{cl}' is not a reliability level: one of {string.Join(", ", Enum.GetNames(cl.GetType()))}."));
        }

        if (file.PaperFileCode is { Length: > 50 })
        {
            errors.Add(new("paperFileCode", "max-length", "paperFileCode must be at most 50 characters."));
        }

        if (file.Documents.Count > 999)
        {
            errors.Add(new("documents", "documents.too-many", $"A record file holds at most 999 documents (DocOrdinal has 3 digits); got {file.Documents.Count}."));
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < file.Documents.Count; i++)
        {
            var d = file.Documents[i];
            var prefix = $"documents[{d.DocOrdinal}].";
            errors.AddRange(RecordRules.ValidateDocument(d, prefix, _localAbbreviations));
            if (d.IssuedDate is { } issuedOn && issuedOn > latest)
            {
                errors.Add(new(prefix + "issuedDate", "date.future", $"The issue date {issuedOn:yyyy-MM-dd} is in the future."));
            }

            if (!seen.Add(d.DocOrdinal))
            {
                errors.Add(new(prefix + "docOrdinal", "doc-ordinal.taken", $"Document ordinal {d.DocOrdinal} is used twice."));
            }

            if (!Enum.IsDefined(d.ConfidenceLevel))
            {
                errors.Add(new(prefix + "confidenceLevel", "enum", $"'{d.ConfidenceLevel}' is not a reliability level: one of {string.Join(", ", Enum.GetNames(d.ConfidenceLevel.GetType()))}."));
            }

            if ((d.CodeNumber is null) != (d.CodeNotation is null))
            {
                errors.Add(new(prefix + (d.CodeNumber is null ? "codeNumber" : "codeNotation"), "number-symbol.pair", "Give both the number and the symbol of the document, or neither."));
            }

            if (fonds.ClosedOn is { } closedOn && d.IssuedDate is { } issued && issued > closedOn)
            {
                errors.Add(new(prefix + "issuedDate", "document.issued-after-fonds-closed", $"The fonds was closed on {closedOn:yyyy-MM-dd}; its agency issued no documents after that."));
            }
        }
    }
}
