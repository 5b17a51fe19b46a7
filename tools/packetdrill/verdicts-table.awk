# Turns build-and-run.sh's verdicts.tsv into the Markdown table of docs/packetdrill.md:
#   awk -f tools/packetdrill/verdicts-table.awk traces/packetdrill/kernel-verdicts.tsv
BEGIN { FS = "\t"; print "| Script | Kernel | Line | packetdrill said | s | Runs |"; print "|---|---|---|---|---|---|" }
NR > 1 {
  err = $4; gsub(/\|/, "\\|", err)
  if (length(err) > 110) err = substr(err, 1, 107) "..."
  runs = $6; n = split(runs, r, ","); same = 1
  for (i = 2; i <= n; i++) if (r[i] != r[1]) same = 0
  printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, err, $5, same ? "same " n "x" : "**" runs "**"
}
