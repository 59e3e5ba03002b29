using System.Globalization;
using Archive.Access;
using Archive.Records;

/// <summary>
/// Researchers' access requests offline (issue #19 item 3): <c>access-request list|approve|refuse|revoke</c>, on the
/// engine's <see cref="AccessRequestService"/> of the data folder, as the operator (no caller: every archives' requests).
/// </summary>
internal sealed partial class ExchangeCommand
{
    // A property, not a field: VerbList (ExchangeCommand.cs) spreads it, and static field initialisers of partial files run in no defined order.
    private static Verb[] AccessRequestVerbs =>
    [
        new("access-request list", "[--status Pending|Approved|Refused|Revoked|Expired] [--agency ID] [--file CODE]",
            "Lists researchers' access requests (yêu cầu khai thác) for conditional record files: id, status, record file, researcher, valid until, purpose or reason.",
            ["status", "agency", "file"], [], null),
        new("access-request approve", "--request ID [--days N]",
            "Approves a waiting request: a grant for its researcher and record file for N days (default Archive:AccessRequests:DefaultValidDays, at most MaxValidDays).",
            ["request", "days"], [], null),
        new("access-request refuse", "--request ID --reason TEXT",
            "Refuses a waiting request with a reason (lý do từ chối).",
            ["request", "reason"], [], null),
        new("access-request revoke", "--request ID --reason TEXT",
            "Revokes a valid grant with a reason: reads under it stop at once.",
            ["request", "reason"], [], null),
    ];

    private static bool IsAccessRequestVerb(string name) => name.StartsWith("access-request ", StringComparison.Ordinal);

    private static AccessRequestStatus? AccessStatusOf(string? value)
        => Enum.TryParse<AccessRequestStatus>(value, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(value, out _) ? s : null;

    /// <summary>The usage errors of the access-request verbs (values that cannot be read; the engine checks the rest).</summary>
    private string? CheckAccessRequest()
    {
        string? Need(params string[] names) => names.FirstOrDefault(n => !_options.ContainsKey(n)) is { } missing ? $"Missing option --{missing}." : null;
        return _verb!.Name switch
        {
            "access-request list" => _options.TryGetValue("status", out var s) && AccessStatusOf(s) is null ? $"Option --status is Pending, Approved, Refused, Revoked or Expired, not '{s}'." : null,
            "access-request approve" => Need("request")
                ?? (_options.TryGetValue("days", out var d) && !int.TryParse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? $"Option --days must be a whole number, not '{d}'." : null),
            _ => Need("request", "reason"),
        };
    }

    private sealed partial class Run
    {
        public async Task<int> AccessRequestAsync()
        {
            var requests = services.GetRequiredService<AccessRequestService>();
            var now = DateTimeOffset.UtcNow;
            switch (command._verb!.Name)
            {
                case "access-request list":
                {
                    var query = new AccessRequestQuery { Status = AccessStatusOf(Option("status")), AgencyId = Option("agency"), FileCode = Option("file") };
                    var count = 0;
                    await foreach (var v in requests.ListAsync(query, caller: null, cancellationToken).ConfigureAwait(false))
                    {
                        count++;
                        await output.WriteLineAsync(Line(v.Value, now)).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture) + " access requests").ConfigureAwait(false);
                    return Success;
                }

                case "access-request approve":
                {
                    int? days = Option("days") is { } d ? int.Parse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;
                    var stored = await requests.ApproveAsync(Option("request")!, days, expectedVersion: null, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(Line(stored.Value, now)).ConfigureAwait(false);
                    await error.WriteLineAsync($"Approved: grant {stored.Value.GrantId} for {stored.Value.ResearcherName} to read {stored.Value.FileCode} until {Until(stored.Value)}.").ConfigureAwait(false);
                    return Success;
                }

                case "access-request refuse":
                {
                    var stored = await requests.RefuseAsync(Option("request")!, Option("reason"), expectedVersion: null, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(Line(stored.Value, now)).ConfigureAwait(false);
                    return Success;
                }

                default:
                {
                    var stored = await requests.RevokeAsync(Option("request")!, Option("reason"), expectedVersion: null, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(Line(stored.Value, now)).ConfigureAwait(false);
                    return Success;
                }
            }
        }

        private static string Until(AccessRequest r) => r.ValidUntil?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "-";

        private static string Line(AccessRequest r, DateTimeOffset now)
            => $"{r.Id}\t{r.StatusAt(now)}\t{r.FileCode}\t{r.ResearcherName} ({r.ResearcherId})\t{Until(r)}\t{r.GrantId ?? "-"}\t{(r.Reason ?? r.Purpose).ReplaceLineEndings(" ")}";
    }
}
