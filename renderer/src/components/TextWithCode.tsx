/**
 * A message written for both the terminal and the page ("run `apt-get install r-base-core`"): the
 * back-quoted parts, commands and file names, show as code instead of literal backticks.
 */
export function TextWithCode(props: {text: string}) {
    return (
        <>
            {props.text.split("`").map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}
        </>
    );
}
