# The two commands of the README, and the steps they are made of.
# `make demo`: build everything and run the demo on http://127.0.0.1:8080.
# `make test`: every test, on real components (SQLite file, TCP, headless Chromium).

.PHONY: demo test pwa release bench

demo: pwa
	cargo run --release --locked -- serve --demo --addr 127.0.0.1:8080

test:
	./scripts/test

pwa:
	./scripts/build-pwa

release:
	cargo build --release --locked

bench:
	cargo bench --bench nearby_index
	cargo bench --bench gpx_import
	cargo bench --bench heritage_import
	cargo bench --bench api
	cargo bench --bench offline_package
	cargo bench --bench communes
