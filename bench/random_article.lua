-- wrk script: GET a random article out of the slugs listed one per line in the file given
-- after `--`, optionally with the headers in BENCH_HEADER ("Name: value").
local slugs = {}

function init(args)
  for line in io.lines(args[1]) do
    slugs[#slugs + 1] = line
  end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(#slugs)])
end
